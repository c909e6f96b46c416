-- 0041 the client list's sort orders and saved views.
--
-- The list pages by keyset over (sort key, id). A nullable column sorts as
-- ((col IS NULL), COALESCE(col, zero), id): every part is non-null, so one
-- row comparison `(…) > ($1, $2, $3)` is exact for NULLs too and can start an
-- index range scan, forwards for `?sort=col` and backwards for `?sort=-col`.
-- Each index below matches one sort key expression for expression.
CREATE INDEX idx_clients_sort_full_name ON clients (port_id, full_name, id);
CREATE INDEX idx_clients_sort_updated_at ON clients (port_id, updated_at, id);
CREATE INDEX idx_clients_sort_company_name
  ON clients (port_id, (company_name IS NULL), (COALESCE(company_name, '')), id);
CREATE INDEX idx_clients_sort_nationality
  ON clients (port_id, (nationality IS NULL), (COALESCE(nationality, '')), id);
CREATE INDEX idx_clients_sort_yacht_name
  ON clients (port_id, (yacht_name IS NULL), (COALESCE(yacht_name, '')), id);
CREATE INDEX idx_clients_sort_source
  ON clients (port_id, (source IS NULL), (COALESCE(source, '')), id);
CREATE INDEX idx_clients_sort_yacht_length_ft
  ON clients (port_id, (yacht_length_ft IS NULL), (COALESCE(yacht_length_ft, 0)), id);
CREATE INDEX idx_clients_sort_yacht_length_m
  ON clients (port_id, (yacht_length_m IS NULL), (COALESCE(yacht_length_m, 0)), id);
-- created_at is served by idx_clients_keyset (port_id, created_at, id) from 0003.

-- Contacts are found by client for the list's primary e-mail and phone.
CREATE INDEX idx_cc_client_channel ON client_contacts (client_id, channel, is_primary DESC, created_at);

-- Custom field filters look values up by field and value.
CREATE INDEX idx_cfv_field_value ON custom_field_values (field_id, (lower(value #>> '{}')));

-- At most one default view per user and entity type (the API unsets the old
-- one in the same transaction; this makes a race fail instead of leaving two).
CREATE UNIQUE INDEX idx_sv_one_default ON saved_views (port_id, user_id, entity_type) WHERE is_default;
CREATE INDEX idx_sv_shared ON saved_views (port_id, entity_type) WHERE is_shared;
