-- 0044 client duplicate candidates (DESIGN "Duplicates and merge").
--
-- One row per unordered pair of clients that may be the same person, found by
-- the duplicate scan after a client is created, edited or imported. The pair is
-- stored ordered (client_a_id < client_b_id) so it exists once, whichever side
-- the scan started from. `reasons` says why: 'email' (a shared normalised
-- e-mail), 'phone' (a shared E.164 number; whatsapp counts as phone), 'name'
-- (trigram similarity of full_name at or above the scan's threshold, kept in
-- name_similarity). `score` orders the list (0..1, see duplicates/scan.rs).
-- A pair the user marks "not a duplicate" becomes 'dismissed' and stays so:
-- later scans refresh pending pairs only. Merging or deleting either client
-- removes its pairs (ON DELETE CASCADE).

CREATE TABLE client_duplicate_candidates (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id() REFERENCES ports(id),
  client_a_id UUID NOT NULL,
  client_b_id UUID NOT NULL,
  reasons TEXT[] NOT NULL,
  name_similarity REAL,
  score REAL NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  detected_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  resolved_by TEXT,  -- user ID who dismissed the pair
  resolved_at TIMESTAMPTZ,
  CONSTRAINT cdc_ordered_pair CHECK (client_a_id < client_b_id),
  CONSTRAINT cdc_reasons_known CHECK (
    cardinality(reasons) > 0 AND reasons <@ ARRAY['email', 'phone', 'name']::text[]),
  CONSTRAINT cdc_status_known CHECK (status IN ('pending', 'dismissed')),
  CONSTRAINT cdc_resolved_when_dismissed CHECK ((status = 'dismissed') = (resolved_at IS NOT NULL)),
  CONSTRAINT cdc_pair_unique UNIQUE (port_id, client_a_id, client_b_id),
  CONSTRAINT cdc_client_a_port_fkey FOREIGN KEY (port_id, client_a_id)
    REFERENCES clients(port_id, id) ON DELETE CASCADE,
  CONSTRAINT cdc_client_b_port_fkey FOREIGN KEY (port_id, client_b_id)
    REFERENCES clients(port_id, id) ON DELETE CASCADE
);
-- The duplicates page: pending pairs of a port, best first, keyset on (score, id).
CREATE INDEX idx_cdc_pending ON client_duplicate_candidates(port_id, score DESC, id DESC)
  WHERE status = 'pending';
-- "Pairs of this client": client_a_id is served by cdc_pair_unique's leading
-- columns; client_b_id needs its own (also for the cascading deletes).
CREATE INDEX idx_cdc_client_b ON client_duplicate_candidates(port_id, client_b_id);

ALTER TABLE client_duplicate_candidates ENABLE ROW LEVEL SECURITY;
ALTER TABLE client_duplicate_candidates FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON client_duplicate_candidates FOR ALL
    USING (port_id = app_port_id()) WITH CHECK (port_id = app_port_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON client_duplicate_candidates TO nimara_app;

-- The scan matches phone numbers across the phone and whatsapp channels; the
-- 0003 phone index covers channel = 'phone' only.
CREATE INDEX idx_cc_phone_any ON client_contacts(port_id, value)
  WHERE channel IN ('phone', 'whatsapp');
