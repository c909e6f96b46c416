-- 0007 communication and operations: e-mail accounts, threads and messages;
-- reminders, Google Calendar tokens and cache, notifications, scheduled reports
-- and their recipients.
--
-- Additions (DESIGN "Tenancy and access", "Security rules"):
-- * port_id DEFAULT app_port_id(); UNIQUE (port_id, id) on email_threads,
--   reminders and scheduled_reports.
-- * port_id UUID NOT NULL on email_messages and report_recipients, with a
--   composite FK (port_id, parent_id); the spec's FKs stay.
-- * composite FKs email_threads -> clients, email_messages (raw_file_id) -> files,
--   reminders -> clients/interests/berths, so nothing points into another port.
-- * indexes on FK columns no spec index covers.
-- google_calendar_tokens and google_calendar_cache are user-scoped (no port_id,
-- no row-level security; the application filters by user). Their token columns
-- hold ciphertext encrypted by the application (DESIGN "Data"), not pgcrypto.

CREATE TABLE email_accounts (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id TEXT NOT NULL,
  port_id UUID NOT NULL DEFAULT app_port_id() REFERENCES ports(id),
  provider TEXT NOT NULL,  -- google, outlook, custom
  email_address TEXT NOT NULL,
  smtp_host TEXT NOT NULL,
  smtp_port INTEGER NOT NULL,
  imap_host TEXT NOT NULL,
  imap_port INTEGER NOT NULL,
  credentials_enc BYTEA NOT NULL,  -- encrypted credentials
  is_active BOOLEAN NOT NULL DEFAULT true,
  last_sync_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_ea_port_user ON email_accounts(port_id, user_id);

CREATE TABLE email_threads (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id() REFERENCES ports(id),
  client_id UUID REFERENCES clients(id),
  subject TEXT,
  last_message_at TIMESTAMPTZ,
  message_count INTEGER NOT NULL DEFAULT 0,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (port_id, id),
  CONSTRAINT email_threads_client_port_fkey FOREIGN KEY (port_id, client_id)
    REFERENCES clients(port_id, id)
);
CREATE INDEX idx_et_client ON email_threads(client_id);
CREATE INDEX idx_et_port ON email_threads(port_id);

CREATE TABLE email_messages (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id(),  -- addition: tenancy
  thread_id UUID NOT NULL REFERENCES email_threads(id) ON DELETE CASCADE,
  message_id_header TEXT,  -- email Message-ID header
  from_address TEXT NOT NULL,
  to_addresses TEXT[] NOT NULL,
  cc_addresses TEXT[],
  subject TEXT,
  body_text TEXT,
  body_html TEXT,
  direction TEXT NOT NULL,  -- inbound, outbound
  sent_at TIMESTAMPTZ NOT NULL,
  attachment_file_ids UUID[],  -- references to files table
  raw_file_id UUID REFERENCES files(id),  -- full raw email stored in MinIO
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT email_messages_thread_port_fkey FOREIGN KEY (port_id, thread_id)
    REFERENCES email_threads(port_id, id) ON DELETE CASCADE,
  CONSTRAINT email_messages_raw_file_port_fkey FOREIGN KEY (port_id, raw_file_id)
    REFERENCES files(port_id, id)
);
CREATE INDEX idx_em_thread ON email_messages(thread_id);
CREATE INDEX idx_em_raw_file ON email_messages(raw_file_id) WHERE raw_file_id IS NOT NULL;
CREATE INDEX idx_em_message_id ON email_messages(port_id, message_id_header) WHERE message_id_header IS NOT NULL;

CREATE TABLE reminders (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id() REFERENCES ports(id),
  title TEXT NOT NULL,
  note TEXT,
  due_at TIMESTAMPTZ NOT NULL,
  priority TEXT NOT NULL DEFAULT 'medium',  -- low, medium, high, urgent
  status TEXT NOT NULL DEFAULT 'pending',  -- pending, snoozed, completed, dismissed
  assigned_to TEXT,  -- user ID
  created_by TEXT NOT NULL,
  client_id UUID REFERENCES clients(id),
  interest_id UUID REFERENCES interests(id),
  berth_id UUID REFERENCES berths(id),
  auto_generated BOOLEAN NOT NULL DEFAULT false,  -- true if created by follow-up reminder system
  google_calendar_event_id TEXT,  -- Google Calendar event ID (if synced)
  google_calendar_synced BOOLEAN NOT NULL DEFAULT false,
  snoozed_until TIMESTAMPTZ,  -- if snoozed, when to resurface
  completed_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (port_id, id),
  CONSTRAINT reminders_client_port_fkey FOREIGN KEY (port_id, client_id)
    REFERENCES clients(port_id, id),
  CONSTRAINT reminders_interest_port_fkey FOREIGN KEY (port_id, interest_id)
    REFERENCES interests(port_id, id),
  CONSTRAINT reminders_berth_port_fkey FOREIGN KEY (port_id, berth_id)
    REFERENCES berths(port_id, id)
);
CREATE INDEX idx_reminders_port ON reminders(port_id);
CREATE INDEX idx_reminders_assigned ON reminders(assigned_to, status);
CREATE INDEX idx_reminders_due ON reminders(port_id, due_at) WHERE status IN ('pending', 'snoozed');
CREATE INDEX idx_reminders_client ON reminders(client_id) WHERE client_id IS NOT NULL;
CREATE INDEX idx_reminders_interest ON reminders(interest_id) WHERE interest_id IS NOT NULL;
CREATE INDEX idx_reminders_berth ON reminders(berth_id) WHERE berth_id IS NOT NULL;

CREATE TABLE google_calendar_tokens (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id TEXT NOT NULL UNIQUE,
  access_token TEXT NOT NULL,  -- encrypted (pgcrypto)
  refresh_token TEXT NOT NULL,  -- encrypted (pgcrypto)
  token_expiry TIMESTAMPTZ NOT NULL,
  calendar_id TEXT NOT NULL DEFAULT 'primary',  -- which calendar to sync
  connected_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  last_sync_at TIMESTAMPTZ,
  sync_enabled BOOLEAN NOT NULL DEFAULT true,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE google_calendar_cache (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id TEXT NOT NULL,
  event_id TEXT NOT NULL,  -- Google Calendar event ID
  title TEXT NOT NULL,
  start_at TIMESTAMPTZ NOT NULL,
  end_at TIMESTAMPTZ,
  location TEXT,
  description TEXT,
  is_crm_pushed BOOLEAN NOT NULL DEFAULT false,  -- true if this event originated from a CRM reminder
  reminder_id UUID REFERENCES reminders(id),  -- linked CRM reminder (if is_crm_pushed)
  fetched_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE(user_id, event_id)
);
CREATE INDEX idx_gcal_cache_user ON google_calendar_cache(user_id, start_at);
CREATE INDEX idx_gcal_cache_reminder ON google_calendar_cache(reminder_id) WHERE reminder_id IS NOT NULL;

CREATE TABLE notifications (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id() REFERENCES ports(id),
  user_id TEXT NOT NULL,
  type TEXT NOT NULL,  -- reminder_due, reminder_overdue, new_registration, eoi_signed, eoi_completed, email_received, duplicate_alert, invoice_overdue, waiting_list, system_alert, follow_up_created, tenure_expiring
  title TEXT NOT NULL,
  description TEXT,
  link TEXT,  -- URL to relevant record
  entity_type TEXT,  -- client, interest, berth, invoice, etc.
  entity_id UUID,
  is_read BOOLEAN NOT NULL DEFAULT false,
  email_sent BOOLEAN NOT NULL DEFAULT false,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_notif_user ON notifications(user_id, is_read);
CREATE INDEX idx_notif_port ON notifications(port_id);

CREATE TABLE scheduled_reports (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id() REFERENCES ports(id),
  name TEXT NOT NULL,
  report_type TEXT NOT NULL,  -- pipeline_summary, expense_summary, berth_occupancy, activity_log, overdue_items, revenue_forecast
  schedule TEXT NOT NULL,  -- cron expression
  last_run_at TIMESTAMPTZ,
  next_run_at TIMESTAMPTZ,
  is_active BOOLEAN NOT NULL DEFAULT true,
  config JSONB DEFAULT '{}',  -- report-specific config options
  created_by TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (port_id, id)
);

CREATE TABLE report_recipients (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id(),  -- addition: tenancy
  report_id UUID NOT NULL REFERENCES scheduled_reports(id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  user_id TEXT,  -- null for external recipients
  UNIQUE(report_id, email),
  CONSTRAINT report_recipients_report_port_fkey FOREIGN KEY (port_id, report_id)
    REFERENCES scheduled_reports(port_id, id) ON DELETE CASCADE
);
