-- 0047 search ranks a bounded pool of matches when it can.
--
-- client_search() of 0041 scored every match of every field before the best
-- 50 were kept: a short term matching thousands of clients ("Whit": 9,938 of
-- 200,000) cost 160 ms, growing with the matches. Trigram KNN on GiST was
-- tried instead and rejected: at 200,000 names it cost 1 to 40 ms by term,
-- and ranks tie in large groups, so "best 50 by (rank, id)" still had to
-- read every tie.
--
-- This version takes `pool`: each field (name, company, yacht, contact values,
-- phone digits) contributes at most `pool` of its matches, each scored on that
-- field only, and a client's rank is its best field. When no field has more
-- matches than the pool, the result is every match, exactly ranked; when one
-- has more, the term is too broad to rank them all and the first `pool` found
-- stand for it. The list passes a pool for the ranked default view only (a
-- type-ahead or a global search) and NULL, meaning every match, as soon as a
-- filter or a sort asks for all of them.
--   q       the search term (names and yachts: trigram word similarity,
--           which forgives typos and partial words)
--   pattern `%term%` for contact values (e-mail fragments), or NULL
--   digits  `%digits%` of a term read as a phone number, or NULL
--   pool    the most matches taken per field, or NULL for all
-- SECURITY DEFINER for the reason 0041 gives: pg_trgm's operators are not
-- leakproof, so only the schema owner gets the trigram indexes; every branch
-- is bound to app_port_id(), the port of the calling transaction.
DROP FUNCTION client_search(text, text, text);

CREATE FUNCTION client_search(q text, pattern text, digits text, pool integer)
RETURNS TABLE (client_id uuid, rank real)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
  SELECT h.id, max(h.score)::real
  FROM (
    (SELECT c.id, word_similarity(q, c.full_name) AS score
     FROM clients c
     WHERE c.port_id = app_port_id() AND q <% c.full_name
     LIMIT pool)
    UNION ALL
    (SELECT c.id, word_similarity(q, c.company_name)
     FROM clients c
     WHERE c.port_id = app_port_id() AND q <% c.company_name
     LIMIT pool)
    UNION ALL
    (SELECT c.id, word_similarity(q, c.yacht_name)
     FROM clients c
     WHERE c.port_id = app_port_id() AND q <% c.yacht_name
     LIMIT pool)
    UNION ALL
    (SELECT cc.client_id,
            CASE WHEN lower(cc.value) = lower(q) THEN 1 ELSE 0.7 + 0.3 * similarity(q, cc.value) END
     FROM client_contacts cc
     WHERE cc.port_id = app_port_id() AND pattern IS NOT NULL AND cc.value ILIKE pattern
     LIMIT pool)
    UNION ALL
    (SELECT cc.client_id, 0.95
     FROM client_contacts cc
     WHERE cc.port_id = app_port_id() AND digits IS NOT NULL
       AND cc.channel IN ('phone', 'whatsapp') AND cc.value LIKE digits
     LIMIT pool)
  ) h
  WHERE app_port_id() IS NOT NULL
  GROUP BY h.id
$$;
REVOKE ALL ON FUNCTION client_search(text, text, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION client_search(text, text, text, integer) TO nimara_app;
