-- 0040 client rules the database keeps even when two requests race:
-- * a client holds one (channel, value) once: the API answers 409 on a repeat,
--   and the merge moves contacts "without repeating one" (DESIGN.md);
-- * at most one primary contact per channel of a client;
-- * one relationship of a given type between the same two clients (custom ones,
--   told apart by their description, may repeat);
-- * a client's activity timeline reads the audit rows of its contacts and
--   relationships through metadata.client_id / other_client_id.
-- Tables, tenancy and row-level security are unchanged (0003, 0010).

CREATE UNIQUE INDEX uq_client_contacts_value
    ON client_contacts (client_id, channel, value);
CREATE UNIQUE INDEX uq_client_contacts_primary
    ON client_contacts (client_id, channel) WHERE is_primary;
CREATE UNIQUE INDEX uq_client_relationships_pair
    ON client_relationships (client_a_id, client_b_id, relationship_type)
    WHERE relationship_type <> 'custom';
CREATE INDEX idx_al_client_children
    ON audit_logs (port_id, (metadata->>'client_id'))
    WHERE metadata ? 'client_id';
CREATE INDEX idx_al_other_client
    ON audit_logs (port_id, (metadata->>'other_client_id'))
    WHERE metadata ? 'other_client_id';
