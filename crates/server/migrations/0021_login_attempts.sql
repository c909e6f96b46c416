-- Failed and successful sign-ins, for the rate limit (per account and per
-- address, over a sliding 15 minutes) and for the operator's eye. Kept in the
-- database so that every nimara process counts the same attempts.
CREATE TABLE login_attempts (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email CITEXT NOT NULL,
  ip_address TEXT NOT NULL,
  succeeded BOOLEAN NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_login_attempts_email ON login_attempts (email, created_at DESC) WHERE NOT succeeded;
CREATE INDEX idx_login_attempts_ip ON login_attempts (ip_address, created_at DESC) WHERE NOT succeeded;
GRANT SELECT, INSERT, DELETE ON login_attempts TO nimara_app;
