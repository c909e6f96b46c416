-- Notes and the scratchpad: indexes for the way they are read.
-- * a record's notes newest first, keyset on (created_at, id);
-- * the lock job's scan of notes still unlocked (a small partial index: most
--   notes are locked 15 minutes after they are written);
-- * a user's scratchpad newest first.
CREATE INDEX idx_cn_client_keyset ON client_notes(client_id, created_at DESC, id DESC);
CREATE INDEX idx_cn_unlocked ON client_notes(created_at) WHERE NOT is_locked;
CREATE INDEX idx_in_interest_keyset ON interest_notes(interest_id, created_at DESC, id DESC);
CREATE INDEX idx_in_unlocked ON interest_notes(created_at) WHERE NOT is_locked;
CREATE INDEX idx_sp_user_keyset ON scratchpad_notes(user_id, created_at DESC, id DESC);
