-- 0009 jobs: the Postgres job queue (claimed with FOR UPDATE SKIP LOCKED) and
-- recurring schedules. Not in the spec: DESIGN "Architecture at a glance" runs
-- reminders, reports, webhooks and sync through this queue. The Rust job runner
-- is written against exactly these columns and indexes.
--
-- No row-level security and no app_port_id() default on port_id: these are
-- system tables that the job runner reads and claims across all ports; port_id
-- is set explicitly by whoever enqueues, and the runner opens a port
-- transaction for a job's work.

CREATE TABLE jobs (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name TEXT NOT NULL,
  payload JSONB NOT NULL DEFAULT '{}',
  port_id UUID REFERENCES ports(id) ON DELETE CASCADE,
  status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued','running','done','dead')),
  run_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  attempts INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL DEFAULT 5 CHECK (max_attempts > 0),
  last_error TEXT,
  dedup_key TEXT,
  locked_by TEXT,
  locked_until TIMESTAMPTZ,
  progress JSONB,
  finished_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX idx_jobs_dedup ON jobs(dedup_key) WHERE dedup_key IS NOT NULL AND status IN ('queued','running');
CREATE INDEX idx_jobs_ready ON jobs(run_at) WHERE status = 'queued';
CREATE INDEX idx_jobs_running ON jobs(locked_until) WHERE status = 'running';

CREATE TABLE job_schedules (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  name TEXT NOT NULL,            -- job name
  port_id UUID REFERENCES ports(id) ON DELETE CASCADE,  -- null = installation-wide
  cron TEXT NOT NULL,            -- cron expression with seconds field (7-field or 6-field as the `cron` crate accepts)
  timezone TEXT NOT NULL DEFAULT 'UTC',
  payload JSONB NOT NULL DEFAULT '{}',
  next_run_at TIMESTAMPTZ NOT NULL,
  last_run_at TIMESTAMPTZ,
  enabled BOOLEAN NOT NULL DEFAULT true,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX idx_job_schedules_name_port ON job_schedules(name, port_id) NULLS NOT DISTINCT;
CREATE INDEX idx_job_schedules_due ON job_schedules(next_run_at) WHERE enabled;
