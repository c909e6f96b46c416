-- Invitations and password resets (issue 3, point 2).
--
-- Additions to verifications:
-- * revoked_at: a token withdrawn before use (an invitation revoked or replaced
--   by a newer one for the same e-mail and port; a reset link replaced by a newer
--   one). Kept apart from used_at so the page can say which happened.
-- * ip_address: where the request for the token came from, so that reset
--   requests can be rate-limited per address as well as per e-mail.
ALTER TABLE verifications
  ADD COLUMN revoked_at TIMESTAMPTZ,
  ADD COLUMN ip_address TEXT;

-- At most one pending invitation per e-mail and port: a new one replaces
-- (revokes) the old one in the same transaction. Identifiers are stored
-- normalised (trimmed, lower-case).
CREATE UNIQUE INDEX idx_verifications_pending_invitation
  ON verifications (port_id, identifier)
  WHERE purpose = 'invitation' AND used_at IS NULL AND revoked_at IS NULL;

-- The reset rate limit counts recent requests per address.
CREATE INDEX idx_verifications_ip
  ON verifications (ip_address, created_at DESC)
  WHERE ip_address IS NOT NULL;
