-- 0004 berths and interests: the berth inventory, its map, maintenance, tags,
-- the sales pipeline (interests, created after berths because they reference
-- them), recommendations, the waiting list and berth status suggestions.
--
-- Additions (DESIGN "Tenancy and access", "Security rules", "Business rules"):
-- * port_id DEFAULT app_port_id(); UNIQUE (port_id, id) on berths and interests.
-- * port_id UUID NOT NULL on berth_map_data, berth_tags, interest_notes,
--   interest_tags, berth_recommendations, berth_waiting_list, with a composite FK
--   (port_id, parent_id) to every parent (the spec's own FKs stay).
-- * composite FKs for interests -> clients/berths and
--   berth_maintenance_log -> berths, so nothing points into another port.
-- * berth_status_suggestions: the "suggest" mode of the berth status rules
--   (BR-001) needs somewhere to keep a suggestion until a user accepts or
--   dismisses it.
-- * a keyset index for the interest list; indexes on FK columns no spec index covers.

CREATE TABLE berths (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id() REFERENCES ports(id),
  mooring_number TEXT NOT NULL,
  area TEXT,
  status TEXT NOT NULL DEFAULT 'available',  -- available, under_offer, sold
  length_ft NUMERIC,
  width_ft NUMERIC,
  draft_ft NUMERIC,
  length_m NUMERIC,
  width_m NUMERIC,
  draft_m NUMERIC,
  width_is_minimum BOOLEAN DEFAULT false,
  nominal_boat_size TEXT,
  nominal_boat_size_m TEXT,
  water_depth NUMERIC,
  water_depth_m NUMERIC,
  water_depth_is_minimum BOOLEAN DEFAULT false,
  side_pontoon TEXT,
  power_capacity TEXT,
  voltage TEXT,
  mooring_type TEXT,
  cleat_type TEXT,
  cleat_capacity TEXT,
  bollard_type TEXT,
  bollard_capacity TEXT,
  access TEXT,
  price NUMERIC,
  price_currency TEXT NOT NULL DEFAULT 'USD',
  bow_facing TEXT,
  berth_approved BOOLEAN DEFAULT false,
  tenure_type TEXT NOT NULL DEFAULT 'permanent',  -- permanent, fixed_term
  tenure_years INTEGER,  -- for fixed_term
  tenure_start_date DATE,
  tenure_end_date DATE,
  status_last_changed_by TEXT,  -- user ID who last changed status (manual or accepted suggestion)
  status_last_changed_reason TEXT,  -- 'manual', 'rule:interest_linked', 'rule:eoi_sent', etc.
  status_last_modified TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (port_id, id)
);
CREATE INDEX idx_berths_port ON berths(port_id);
CREATE INDEX idx_berths_status ON berths(port_id, status);
CREATE INDEX idx_berths_area ON berths(port_id, area);
CREATE UNIQUE INDEX idx_berths_mooring ON berths(port_id, mooring_number);

CREATE TABLE berth_map_data (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id(),  -- addition: tenancy
  berth_id UUID NOT NULL UNIQUE REFERENCES berths(id) ON DELETE CASCADE,
  svg_path TEXT,  -- SVG path string
  x NUMERIC,
  y NUMERIC,
  transform TEXT,
  font_size NUMERIC,
  extra_data JSONB DEFAULT '{}',  -- any additional map rendering data
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT berth_map_data_berth_port_fkey FOREIGN KEY (port_id, berth_id)
    REFERENCES berths(port_id, id) ON DELETE CASCADE
);

CREATE TABLE berth_maintenance_log (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  berth_id UUID NOT NULL REFERENCES berths(id) ON DELETE CASCADE,
  port_id UUID NOT NULL DEFAULT app_port_id() REFERENCES ports(id),
  category TEXT NOT NULL,  -- routine, repair, inspection, upgrade
  description TEXT NOT NULL,
  cost NUMERIC,
  cost_currency TEXT DEFAULT 'USD',
  responsible_party TEXT,
  performed_date DATE NOT NULL,
  photo_file_ids UUID[],  -- references to files table
  created_by TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT berth_maintenance_log_berth_port_fkey FOREIGN KEY (port_id, berth_id)
    REFERENCES berths(port_id, id) ON DELETE CASCADE
);
CREATE INDEX idx_bml_berth ON berth_maintenance_log(berth_id, performed_date);
CREATE INDEX idx_bml_port ON berth_maintenance_log(port_id);

CREATE TABLE berth_tags (
  port_id UUID NOT NULL DEFAULT app_port_id(),  -- addition: tenancy
  berth_id UUID NOT NULL REFERENCES berths(id) ON DELETE CASCADE,
  tag_id UUID NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
  PRIMARY KEY (berth_id, tag_id),
  CONSTRAINT berth_tags_berth_port_fkey FOREIGN KEY (port_id, berth_id)
    REFERENCES berths(port_id, id) ON DELETE CASCADE,
  CONSTRAINT berth_tags_tag_port_fkey FOREIGN KEY (port_id, tag_id)
    REFERENCES tags(port_id, id) ON DELETE CASCADE
);
CREATE INDEX idx_bt_tag ON berth_tags(tag_id);

CREATE TABLE interests (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id() REFERENCES ports(id),
  client_id UUID NOT NULL REFERENCES clients(id),
  berth_id UUID REFERENCES berths(id),  -- nullable for general inquiries
  pipeline_stage TEXT NOT NULL DEFAULT 'open',  -- open, details_sent, in_communication, visited, signed_eoi_nda, deposit_10pct, contract, completed
  lead_category TEXT,  -- general_interest, specific_qualified, hot_lead
  source TEXT,  -- website, manual, referral, broker
  eoi_status TEXT,  -- null, waiting_for_signatures, signed, expired
  documenso_id TEXT,  -- Documenso document ID
  contract_status TEXT,
  deposit_status TEXT,
  reservation_status TEXT,
  date_first_contact TIMESTAMPTZ,
  date_last_contact TIMESTAMPTZ,
  date_eoi_sent TIMESTAMPTZ,
  date_eoi_signed TIMESTAMPTZ,
  date_contract_sent TIMESTAMPTZ,
  date_contract_signed TIMESTAMPTZ,
  date_deposit_received TIMESTAMPTZ,
  reminder_enabled BOOLEAN NOT NULL DEFAULT false,
  reminder_days INTEGER,  -- follow up in X days if no activity
  reminder_last_fired TIMESTAMPTZ,
  notes TEXT,  -- quick notes field
  archived_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (port_id, id),
  CONSTRAINT interests_client_port_fkey FOREIGN KEY (port_id, client_id)
    REFERENCES clients(port_id, id),
  CONSTRAINT interests_berth_port_fkey FOREIGN KEY (port_id, berth_id)
    REFERENCES berths(port_id, id)
);
CREATE INDEX idx_interests_port ON interests(port_id);
CREATE INDEX idx_interests_client ON interests(client_id);
CREATE INDEX idx_interests_berth ON interests(berth_id);
CREATE INDEX idx_interests_stage ON interests(port_id, pipeline_stage);
CREATE INDEX idx_interests_archived ON interests(port_id, archived_at);
-- addition: keyset pagination
CREATE INDEX idx_interests_keyset ON interests(port_id, created_at, id);

CREATE TABLE interest_notes (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id(),  -- addition: tenancy
  interest_id UUID NOT NULL REFERENCES interests(id) ON DELETE CASCADE,
  author_id TEXT NOT NULL,  -- user ID
  content TEXT NOT NULL,
  mentions TEXT[],  -- array of mentioned user IDs
  is_locked BOOLEAN NOT NULL DEFAULT false,  -- locked after 15 min edit window
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT interest_notes_interest_port_fkey FOREIGN KEY (port_id, interest_id)
    REFERENCES interests(port_id, id) ON DELETE CASCADE
);
CREATE INDEX idx_in_interest ON interest_notes(interest_id);

CREATE TABLE interest_tags (
  port_id UUID NOT NULL DEFAULT app_port_id(),  -- addition: tenancy
  interest_id UUID NOT NULL REFERENCES interests(id) ON DELETE CASCADE,
  tag_id UUID NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
  PRIMARY KEY (interest_id, tag_id),
  CONSTRAINT interest_tags_interest_port_fkey FOREIGN KEY (port_id, interest_id)
    REFERENCES interests(port_id, id) ON DELETE CASCADE,
  CONSTRAINT interest_tags_tag_port_fkey FOREIGN KEY (port_id, tag_id)
    REFERENCES tags(port_id, id) ON DELETE CASCADE
);
CREATE INDEX idx_it_tag ON interest_tags(tag_id);

CREATE TABLE berth_recommendations (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id(),  -- addition: tenancy
  interest_id UUID NOT NULL REFERENCES interests(id) ON DELETE CASCADE,
  berth_id UUID NOT NULL REFERENCES berths(id) ON DELETE CASCADE,
  match_score NUMERIC,  -- 0-100
  match_reasons JSONB,  -- { "dimensional_fit": 95, "power_match": 80, ... }
  source TEXT NOT NULL DEFAULT 'ai',  -- ai, manual
  created_by TEXT,  -- user ID for manual recommendations
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE(interest_id, berth_id),
  CONSTRAINT berth_recommendations_interest_port_fkey FOREIGN KEY (port_id, interest_id)
    REFERENCES interests(port_id, id) ON DELETE CASCADE,
  CONSTRAINT berth_recommendations_berth_port_fkey FOREIGN KEY (port_id, berth_id)
    REFERENCES berths(port_id, id) ON DELETE CASCADE
);
CREATE INDEX idx_br_berth ON berth_recommendations(berth_id);

CREATE TABLE berth_waiting_list (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id(),  -- addition: tenancy
  berth_id UUID NOT NULL REFERENCES berths(id) ON DELETE CASCADE,
  client_id UUID NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  priority TEXT NOT NULL DEFAULT 'normal',  -- normal, high
  notify_pref TEXT DEFAULT 'email',  -- email, in_app, both
  notes TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE(berth_id, client_id),
  CONSTRAINT berth_waiting_list_berth_port_fkey FOREIGN KEY (port_id, berth_id)
    REFERENCES berths(port_id, id) ON DELETE CASCADE,
  CONSTRAINT berth_waiting_list_client_port_fkey FOREIGN KEY (port_id, client_id)
    REFERENCES clients(port_id, id) ON DELETE CASCADE
);
CREATE INDEX idx_bwl_berth ON berth_waiting_list(berth_id, position);
CREATE INDEX idx_bwl_client ON berth_waiting_list(client_id);

-- Addition: pending outcomes of berth status rules in mode "suggest" (BR-001).
-- trigger is one of the rule triggers (interest_linked, eoi_signed, …,
-- interest_released); target_status a berth status. When the interest is
-- deleted the suggestion stays, without its interest.
CREATE TABLE berth_status_suggestions (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id() REFERENCES ports(id),
  berth_id UUID NOT NULL REFERENCES berths(id) ON DELETE CASCADE,
  interest_id UUID REFERENCES interests(id) ON DELETE SET NULL,
  trigger TEXT NOT NULL,
  target_status TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'dismissed')),
  decided_by TEXT,
  decided_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT berth_status_suggestions_berth_port_fkey FOREIGN KEY (port_id, berth_id)
    REFERENCES berths(port_id, id) ON DELETE CASCADE,
  CONSTRAINT berth_status_suggestions_interest_port_fkey FOREIGN KEY (port_id, interest_id)
    REFERENCES interests(port_id, id) ON DELETE SET NULL (interest_id)
);
CREATE INDEX idx_bss_berth ON berth_status_suggestions(berth_id, created_at);
CREATE INDEX idx_bss_interest ON berth_status_suggestions(interest_id) WHERE interest_id IS NOT NULL;
CREATE INDEX idx_bss_pending ON berth_status_suggestions(port_id, created_at) WHERE status = 'pending';
