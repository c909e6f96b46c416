-- 0045 client imports: an uploaded CSV of clients, its column mapping, the
-- dry run's report and the background import's progress.
--
-- The file is kept in the row (bytea) from upload until the import has run, so
-- the dry run and the job read exactly what was uploaded. Progress is written by
-- the job through a connection apart from its import transaction, so a page can
-- watch processed_rows grow while the import itself is still uncommitted.

CREATE TABLE client_imports (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL DEFAULT app_port_id() REFERENCES ports(id),
  user_id TEXT REFERENCES users(id) ON DELETE SET NULL,  -- null: the command line
  filename TEXT,
  content BYTEA NOT NULL,
  mapping JSONB,  -- {"<column header>": "<field>" | "ignore"}
  status TEXT NOT NULL DEFAULT 'uploaded'
    CHECK (status IN ('uploaded', 'validated', 'queued', 'running', 'done', 'failed')),
  total_rows INT NOT NULL DEFAULT 0,
  processed_rows INT NOT NULL DEFAULT 0,
  created_count INT NOT NULL DEFAULT 0,
  updated_count INT NOT NULL DEFAULT 0,
  rejected_count INT NOT NULL DEFAULT 0,
  flagged_count INT NOT NULL DEFAULT 0,
  report JSONB,  -- the dry run's (then the import's) per-row outcome and summary
  error TEXT,  -- why a failed import failed; nothing of it was written
  job_id BIGINT,
  started_at TIMESTAMPTZ,
  finished_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (port_id, id)
);
-- The recent imports of a port, newest first (keyset on created_at, id).
CREATE INDEX idx_client_imports_port ON client_imports (port_id, created_at DESC, id DESC);
CREATE INDEX idx_client_imports_user ON client_imports (user_id);

ALTER TABLE client_imports ENABLE ROW LEVEL SECURITY;
ALTER TABLE client_imports FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON client_imports FOR ALL
  USING (port_id = app_port_id()) WITH CHECK (port_id = app_port_id());

CREATE TRIGGER set_updated_at BEFORE UPDATE ON client_imports
  FOR EACH ROW EXECUTE FUNCTION set_updated_at();
