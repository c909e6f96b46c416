-- 0003 clients: clients and their child records, plus the port's tag definitions
-- (tags are created here because client_tags needs them first; interest_tags and
-- berth_tags follow in 0004).
--
-- Additions, all for tenancy (DESIGN "Tenancy and access", "Security rules"):
-- * port_id DEFAULT app_port_id() on every port-scoped table.
-- * UNIQUE (port_id, id) on parents (clients, tags) so children can reference them
--   by a composite key.
-- * port_id UUID NOT NULL on child tables the spec leaves without one
--   (client_contacts, client_notes, client_tags), kept equal to the parent's by a
--   composite FK (port_id, parent_id); the spec's own single-column FK stays.
-- * composite FKs on cross-references between port-scoped tables
--   (client_relationships both sides, client_merge_log surviving client), so no
--   row can point into another port (FK checks ignore row-level security).
-- * trigram indexes for search, a keyset index for the client list, and indexes
--   on FK columns that no spec index covers.
-- Row-level security and updated_at triggers are attached in the last migration.

CREATE TABLE clients (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id() REFERENCES ports(id),
  full_name TEXT NOT NULL,
  company_name TEXT,
  nationality TEXT,
  is_proxy BOOLEAN NOT NULL DEFAULT false,
  proxy_type TEXT,  -- broker, representative, family_member, legal_counsel, other
  actual_owner_name TEXT,  -- if known, the real owner behind the proxy
  relationship_notes TEXT,
  yacht_name TEXT,
  yacht_length_ft NUMERIC,
  yacht_width_ft NUMERIC,
  yacht_draft_ft NUMERIC,
  yacht_length_m NUMERIC,
  yacht_width_m NUMERIC,
  yacht_draft_m NUMERIC,
  berth_size_desired TEXT,
  preferred_contact_method TEXT,  -- email, phone, whatsapp
  preferred_language TEXT,
  timezone TEXT,
  source TEXT,  -- website, manual, referral, broker
  source_details TEXT,  -- who referred, which broker, etc.
  archived_at TIMESTAMPTZ,  -- soft delete / archive
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (port_id, id)
);
CREATE INDEX idx_clients_port ON clients(port_id);
CREATE INDEX idx_clients_name ON clients(port_id, full_name);
CREATE INDEX idx_clients_archived ON clients(port_id, archived_at);
-- additions: keyset pagination and trigram search
CREATE INDEX idx_clients_keyset ON clients(port_id, created_at, id);
CREATE INDEX idx_clients_full_name_trgm ON clients USING gin (full_name gin_trgm_ops);
CREATE INDEX idx_clients_company_name_trgm ON clients USING gin (company_name gin_trgm_ops);
CREATE INDEX idx_clients_yacht_name_trgm ON clients USING gin (yacht_name gin_trgm_ops);

CREATE TABLE client_contacts (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id(),  -- addition: tenancy
  client_id UUID NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  channel TEXT NOT NULL,  -- email, phone, whatsapp, other
  value TEXT NOT NULL,  -- the actual address/number
  label TEXT,  -- primary, secondary, work, personal, broker, assistant
  is_primary BOOLEAN NOT NULL DEFAULT false,
  notes TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT client_contacts_client_port_fkey FOREIGN KEY (port_id, client_id)
    REFERENCES clients(port_id, id) ON DELETE CASCADE
);
CREATE INDEX idx_cc_client ON client_contacts(client_id);
CREATE INDEX idx_cc_email ON client_contacts(channel, value) WHERE channel = 'email';
CREATE INDEX idx_cc_phone ON client_contacts(channel, value) WHERE channel = 'phone';
CREATE INDEX idx_cc_value_trgm ON client_contacts USING gin (value gin_trgm_ops);

CREATE TABLE client_relationships (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id() REFERENCES ports(id),
  client_a_id UUID NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  client_b_id UUID NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  relationship_type TEXT NOT NULL,  -- referred_by, broker_for, family_member, same_vessel, custom
  description TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CHECK (client_a_id != client_b_id),
  CONSTRAINT client_relationships_client_a_port_fkey FOREIGN KEY (port_id, client_a_id)
    REFERENCES clients(port_id, id) ON DELETE CASCADE,
  CONSTRAINT client_relationships_client_b_port_fkey FOREIGN KEY (port_id, client_b_id)
    REFERENCES clients(port_id, id) ON DELETE CASCADE
);
CREATE INDEX idx_cr_client_a ON client_relationships(client_a_id);
CREATE INDEX idx_cr_client_b ON client_relationships(client_b_id);
CREATE INDEX idx_cr_port ON client_relationships(port_id);

CREATE TABLE client_merge_log (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id() REFERENCES ports(id),
  surviving_client_id UUID NOT NULL REFERENCES clients(id),
  merged_client_id UUID NOT NULL,  -- the client that was merged away (may no longer exist)
  merged_by TEXT NOT NULL,  -- user ID
  merge_details JSONB NOT NULL,  -- which fields were kept from which record
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT client_merge_log_surviving_client_port_fkey FOREIGN KEY (port_id, surviving_client_id)
    REFERENCES clients(port_id, id)
);
CREATE INDEX idx_cml_port ON client_merge_log(port_id, created_at);
CREATE INDEX idx_cml_surviving ON client_merge_log(surviving_client_id);

CREATE TABLE client_notes (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id(),  -- addition: tenancy
  client_id UUID NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  author_id TEXT NOT NULL,
  content TEXT NOT NULL,
  mentions TEXT[],
  is_locked BOOLEAN NOT NULL DEFAULT false,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  CONSTRAINT client_notes_client_port_fkey FOREIGN KEY (port_id, client_id)
    REFERENCES clients(port_id, id) ON DELETE CASCADE
);
CREATE INDEX idx_cn_client ON client_notes(client_id);

-- Spec "System Domain" table, created here because client_tags references it.
CREATE TABLE tags (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id() REFERENCES ports(id),
  name TEXT NOT NULL,
  color TEXT NOT NULL DEFAULT '#6B7280',  -- hex color
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE(port_id, name),
  UNIQUE (port_id, id)
);

CREATE TABLE client_tags (
  port_id UUID NOT NULL DEFAULT app_port_id(),  -- addition: tenancy
  client_id UUID NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
  tag_id UUID NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
  PRIMARY KEY (client_id, tag_id),
  CONSTRAINT client_tags_client_port_fkey FOREIGN KEY (port_id, client_id)
    REFERENCES clients(port_id, id) ON DELETE CASCADE,
  CONSTRAINT client_tags_tag_port_fkey FOREIGN KEY (port_id, tag_id)
    REFERENCES tags(port_id, id) ON DELETE CASCADE
);
CREATE INDEX idx_ct_tag ON client_tags(tag_id);
