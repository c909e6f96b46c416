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

-- Search candidates of the request's port, with their rank (best 1).
--
-- Why a SECURITY DEFINER function: pg_trgm's operators (<%, ILIKE) are not
-- leakproof, so under row-level security PostgreSQL must evaluate the policy
-- before them and cannot use the trigram indexes: every search became a
-- sequential scan of the port (2 s at 200,000 clients). The function runs as
-- the schema owner, where the indexes apply, and enforces the tenancy itself:
-- every branch is restricted to app_port_id(), the port of the calling
-- transaction. It returns only ids and ranks; the caller joins them to
-- clients under row-level security as usual.
--   q       the search term (names and yachts: trigram word similarity,
--           which forgives typos and partial words)
--   pattern `%term%` for contact values (e-mail fragments), or NULL
--   digits  `%digits%` of a term read as a phone number, or NULL
CREATE FUNCTION client_search(q text, pattern text, digits text)
RETURNS TABLE (client_id uuid, rank real)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
  SELECT h.id, max(h.score)::real
  FROM (
    SELECT c.id,
           GREATEST(word_similarity(q, c.full_name),
                    word_similarity(q, COALESCE(c.company_name, '')),
                    word_similarity(q, COALESCE(c.yacht_name, ''))) AS score
    FROM clients c
    WHERE c.port_id = app_port_id()
      AND (q <% c.full_name OR q <% c.company_name OR q <% c.yacht_name)
    UNION ALL
    SELECT cc.client_id,
           CASE WHEN lower(cc.value) = lower(q) THEN 1 ELSE 0.7 + 0.3 * similarity(q, cc.value) END
    FROM client_contacts cc
    WHERE cc.port_id = app_port_id() AND pattern IS NOT NULL AND cc.value ILIKE pattern
    UNION ALL
    SELECT cc.client_id, 0.95
    FROM client_contacts cc
    WHERE cc.port_id = app_port_id() AND digits IS NOT NULL
      AND cc.channel IN ('phone', 'whatsapp') AND cc.value LIKE digits
  ) h
  WHERE app_port_id() IS NOT NULL
  GROUP BY h.id
$$;
REVOKE ALL ON FUNCTION client_search(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION client_search(text, text, text) TO nimara_app;
