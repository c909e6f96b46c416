-- 0060 the pipeline board and berth recommendations.
--
-- The board shows a port's open (not archived) interests one column per
-- stage, each column's cards newest contact first (the last contact, else
-- when the interest was created), 50 at a time with "show more" after the
-- last card shown. This index serves each column's first page and every
-- later one as a short range scan, however many interests the port has.
CREATE INDEX idx_interests_board ON interests
  (port_id, pipeline_stage, (COALESCE(date_last_contact, created_at)) DESC, id DESC)
  WHERE archived_at IS NULL;

-- The board's "with reminders" filter looks for an open reminder of each
-- interest; no index had reminders by interest.
CREATE INDEX idx_reminders_interest_open ON reminders (interest_id, assigned_to)
  WHERE interest_id IS NOT NULL AND status IN ('pending', 'snoozed');

-- An interest's recommendations are read and replaced together; the unique
-- (interest_id, berth_id) index already leads with the interest.
