-- Interests, berth status rules (BR-001) and follow-ups: indexes for the way
-- they are read and one rule the database keeps.
-- * At most one pending suggestion per berth and target status: a rule that
--   fires again while one waits adds nothing (the insert does ON CONFLICT DO
--   NOTHING), even when two requests fire it at once.
-- * A berth's active interests, for "the last active interest released" and
--   "the most advanced interest on the berth".
-- * The follow-up job's scan: interests that ask for reminders, not archived.
-- * A client's interests on the client page, newest first.
-- * The active webhooks of a port, looked up on every stage change.

CREATE UNIQUE INDEX idx_bss_one_pending ON berth_status_suggestions(berth_id, target_status)
  WHERE status = 'pending';

CREATE INDEX idx_interests_berth_active ON interests(berth_id, pipeline_stage)
  WHERE archived_at IS NULL AND berth_id IS NOT NULL;

CREATE INDEX idx_interests_follow_up ON interests(port_id)
  WHERE reminder_enabled AND archived_at IS NULL;

CREATE INDEX idx_interests_client_created ON interests(client_id, created_at DESC, id DESC);

CREATE INDEX idx_webhooks_port_active ON webhooks(port_id) WHERE is_active;
