-- 0008 system: audit log, outbound webhooks and their deliveries, settings,
-- saved views, scratchpad notes, notification preferences, custom fields.
-- (tags was created in 0003, files in 0005, currency_rates in 0006.)
--
-- Additions (DESIGN "Tenancy and access", "Security rules"):
-- * port_id DEFAULT app_port_id() (also on the nullable audit_logs.port_id and
--   system_settings.port_id: a row written inside a port transaction belongs to
--   that port, one written without a port is installation-wide).
-- * UNIQUE (port_id, id) on audit_logs, webhooks and custom_field_definitions;
--   composite FK audit_logs (port_id, revert_of), so a revert cannot point at
--   another port's entry (not checked for installation-wide rows, port_id NULL).
-- * port_id UUID NOT NULL on webhook_deliveries and custom_field_values, with a
--   composite FK (port_id, parent_id); the spec's FKs stay.
-- * indexes on FK columns no spec index covers.
--
-- Change to the spec, with its reason: system_settings has `key TEXT PRIMARY KEY`
-- and also `UNIQUE(key, port_id)` with `port_id` "null for global settings" and
-- per-port keys such as berth_status_rules. A primary key on key alone allows one
-- row per key in the whole installation, so per-port settings (and a global
-- default next to them) would be impossible. The primary key is therefore a
-- surrogate `id UUID`, and (key, port_id) is unique with NULLS NOT DISTINCT, so
-- there is exactly one global row and one row per port for each key.

CREATE TABLE audit_logs (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID DEFAULT app_port_id() REFERENCES ports(id),  -- null for system-level events
  user_id TEXT,  -- null for system-generated events
  action TEXT NOT NULL,  -- create, update, delete, archive, restore, merge, login, logout, revert
  entity_type TEXT NOT NULL,  -- client, interest, berth, expense, invoice, file, user, role, etc.
  entity_id UUID,
  field_changed TEXT,  -- specific field for update actions
  old_value JSONB,
  new_value JSONB,
  ip_address TEXT,
  user_agent TEXT,
  reverted_by TEXT,  -- user ID if this change was reverted
  reverted_at TIMESTAMPTZ,
  revert_of UUID REFERENCES audit_logs(id),  -- points to the audit entry this reverts
  metadata JSONB DEFAULT '{}',  -- extra context
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (port_id, id),
  CONSTRAINT audit_logs_revert_of_port_fkey FOREIGN KEY (port_id, revert_of)
    REFERENCES audit_logs(port_id, id)
);
CREATE INDEX idx_al_port ON audit_logs(port_id, created_at DESC);
CREATE INDEX idx_al_entity ON audit_logs(entity_type, entity_id);
CREATE INDEX idx_al_user ON audit_logs(user_id, created_at DESC);
CREATE INDEX idx_al_created ON audit_logs(created_at DESC);
CREATE INDEX idx_al_revert_of ON audit_logs(revert_of) WHERE revert_of IS NOT NULL;

CREATE TABLE webhooks (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id() REFERENCES ports(id),
  name TEXT NOT NULL,
  url TEXT NOT NULL,
  secret TEXT,  -- HMAC signing secret
  events TEXT[] NOT NULL,  -- array of event types to subscribe to
  is_active BOOLEAN NOT NULL DEFAULT true,
  created_by TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (port_id, id)
);

CREATE TABLE webhook_deliveries (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id(),  -- addition: tenancy
  webhook_id UUID NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  event_type TEXT NOT NULL,
  payload JSONB NOT NULL,
  response_status INTEGER,
  response_body TEXT,
  attempt INTEGER NOT NULL DEFAULT 1,
  status TEXT NOT NULL DEFAULT 'pending',  -- pending, success, failed, dead_letter
  delivered_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT webhook_deliveries_webhook_port_fkey FOREIGN KEY (port_id, webhook_id)
    REFERENCES webhooks(port_id, id) ON DELETE CASCADE
);
CREATE INDEX idx_wd_webhook ON webhook_deliveries(webhook_id, created_at DESC);

-- Spec change (see the header): surrogate primary key instead of key alone.
CREATE TABLE system_settings (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  key TEXT NOT NULL,
  value JSONB NOT NULL,
  port_id UUID DEFAULT app_port_id() REFERENCES ports(id),  -- null for global settings
  updated_by TEXT,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE NULLS NOT DISTINCT (key, port_id)
);
CREATE INDEX idx_ss_port ON system_settings(port_id) WHERE port_id IS NOT NULL;

CREATE TABLE saved_views (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id() REFERENCES ports(id),
  user_id TEXT NOT NULL,
  entity_type TEXT NOT NULL,  -- clients, interests, berths, expenses, invoices
  name TEXT NOT NULL,
  filters JSONB NOT NULL,
  sort_config JSONB,
  column_config JSONB,  -- which columns visible, column order
  is_shared BOOLEAN NOT NULL DEFAULT false,
  is_default BOOLEAN NOT NULL DEFAULT false,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_sv_user ON saved_views(user_id, entity_type);

-- User-scoped (no port_id, no row-level security; the application filters by
-- user and checks that a linked client is in a port the user may access).
CREATE TABLE scratchpad_notes (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id TEXT NOT NULL,
  content TEXT NOT NULL,
  linked_client_id UUID REFERENCES clients(id),  -- null until dragged onto a client
  linked_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_sp_user ON scratchpad_notes(user_id);
CREATE INDEX idx_sp_linked_client ON scratchpad_notes(linked_client_id) WHERE linked_client_id IS NOT NULL;

CREATE TABLE user_notification_preferences (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id TEXT NOT NULL,
  port_id UUID NOT NULL DEFAULT app_port_id() REFERENCES ports(id),
  notification_type TEXT NOT NULL,
  in_app BOOLEAN NOT NULL DEFAULT true,
  email BOOLEAN NOT NULL DEFAULT true,
  UNIQUE(user_id, port_id, notification_type)
);

CREATE TABLE custom_field_definitions (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id() REFERENCES ports(id),
  entity_type TEXT NOT NULL,  -- client, interest, berth
  field_name TEXT NOT NULL,
  field_label TEXT NOT NULL,
  field_type TEXT NOT NULL,  -- text, number, date, boolean, select
  select_options JSONB,  -- for select type: ["option1", "option2"]
  is_required BOOLEAN NOT NULL DEFAULT false,
  sort_order INTEGER NOT NULL DEFAULT 0,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE(port_id, entity_type, field_name),
  UNIQUE (port_id, id)
);

CREATE TABLE custom_field_values (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id(),  -- addition: tenancy
  field_id UUID NOT NULL REFERENCES custom_field_definitions(id) ON DELETE CASCADE,
  entity_id UUID NOT NULL,  -- references the client/interest/berth ID
  value JSONB NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE(field_id, entity_id),
  CONSTRAINT custom_field_values_field_port_fkey FOREIGN KEY (port_id, field_id)
    REFERENCES custom_field_definitions(port_id, id) ON DELETE CASCADE
);
CREATE INDEX idx_cfv_entity ON custom_field_values(entity_id);
