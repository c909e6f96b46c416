-- 0065 waiting lists stay 1..n whoever deletes an entry.
--
-- The application renumbers a berth's list in the transaction of every add,
-- move and removal it makes. Entries also disappear without it: a client is
-- deleted (ON DELETE CASCADE), or a merge drops the merged client's place on a
-- list the survivor is already on. This trigger closes the gap such a delete
-- leaves, in the same statement's transaction, with the same order the
-- application keeps: high priority first, then by position.

CREATE FUNCTION berth_waiting_list_close_gap() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE berth_waiting_list w
       SET position = r.n
      FROM (SELECT id,
                   row_number() OVER (ORDER BY priority = 'high' DESC, position, created_at, id) AS n
              FROM berth_waiting_list
             WHERE berth_id = OLD.berth_id) r
     WHERE w.id = r.id AND w.position <> r.n;
    RETURN NULL;
END
$$;

CREATE TRIGGER close_gap AFTER DELETE ON berth_waiting_list
    FOR EACH ROW EXECUTE FUNCTION berth_waiting_list_close_gap();
