-- 0010 row-level security, updated_at triggers and grants for everything above.
--
-- Row-level security (DESIGN "Tenancy and access", "Security rules"): every
-- table with a port_id column gets RLS enabled AND forced (so the table owner is
-- subject to it too) and one policy `tenant_isolation`:
--     USING (port_id = app_port_id()) WITH CHECK (port_id = app_port_id())
-- With app.port_id unset, app_port_id() is NULL and no row matches.
-- Requests run `SET LOCAL ROLE nimara_app` + set_config('app.port_id', …, true);
-- nimara_app owns nothing and lacks BYPASSRLS. (Superusers always bypass RLS,
-- which is why requests must switch to nimara_app.)
--
-- Exceptions, each on purpose:
-- * ports: the tenant list itself (it has no port_id column).
-- * jobs, job_schedules: system tables the job runner reads and claims across
--   all ports, before any port is set.
-- * sessions, verifications, api_tokens: identity tables read before a port is
--   known (cookie, invitation/reset token and API token lookup).
-- * user_port_roles, port_role_overrides: read by the access extractor to decide
--   whether the user may enter the port and with which permissions, before the
--   port transaction is opened; the extractor filters by user and port itself.
-- * audit_logs: port_id is NULL for system-level events, so its policy is
--   port_id IS NOT DISTINCT FROM app_port_id() (system events are visible only
--   outside any port).
-- * system_settings: port_id NULL marks a global setting. Global settings are
--   readable inside a port (SELECT: port_id IS NULL OR port_id = app_port_id()),
--   but only writable outside any port (writes: port_id IS NOT DISTINCT FROM
--   app_port_id()).
-- User-scoped tables without port_id (user_profiles, scratchpad_notes,
-- google_calendar_tokens, google_calendar_cache) have no RLS: the application
-- filters them by user.
--
-- IMPORTANT for later migrations: the loops below only cover tables that exist
-- now. A table added later must enable and force RLS, create its own
-- tenant_isolation policy (if it has port_id), and create its own set_updated_at
-- trigger (if it has updated_at). Grants are automatic (ALTER DEFAULT PRIVILEGES
-- in 0001).

-- Standard tenant policy on every port_id table except the exceptions above.
DO $$
DECLARE
    t text;
BEGIN
    FOR t IN
        SELECT c.table_name
        FROM information_schema.columns c
        JOIN information_schema.tables tb
          ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name
        WHERE c.table_schema = current_schema()
          AND c.column_name = 'port_id'
          AND tb.table_type = 'BASE TABLE'
          AND c.table_name NOT IN (
              'jobs', 'job_schedules',
              'sessions', 'verifications', 'api_tokens',
              'user_port_roles', 'port_role_overrides',
              'audit_logs', 'system_settings')
        ORDER BY c.table_name
    LOOP
        EXECUTE format('ALTER TABLE %I ALTER COLUMN port_id SET DEFAULT app_port_id()', t);
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I FOR ALL '
            'USING (port_id = app_port_id()) WITH CHECK (port_id = app_port_id())', t);
    END LOOP;
END
$$;

-- audit_logs: nullable port_id (system-level events).
ALTER TABLE audit_logs ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_logs FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_logs FOR ALL
    USING (port_id IS NOT DISTINCT FROM app_port_id())
    WITH CHECK (port_id IS NOT DISTINCT FROM app_port_id());

-- system_settings: global rows (port_id NULL) readable everywhere, writable only
-- outside a port; per-port rows only inside their port.
ALTER TABLE system_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE system_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_read ON system_settings FOR SELECT
    USING (port_id IS NULL OR port_id = app_port_id());
CREATE POLICY tenant_insert ON system_settings FOR INSERT
    WITH CHECK (port_id IS NOT DISTINCT FROM app_port_id());
CREATE POLICY tenant_update ON system_settings FOR UPDATE
    USING (port_id IS NOT DISTINCT FROM app_port_id())
    WITH CHECK (port_id IS NOT DISTINCT FROM app_port_id());
CREATE POLICY tenant_delete ON system_settings FOR DELETE
    USING (port_id IS NOT DISTINCT FROM app_port_id());

-- Guard: every table with port_id is either protected or a listed exception.
DO $$
DECLARE
    t text;
BEGIN
    FOR t IN
        SELECT cl.relname
        FROM pg_class cl
        JOIN pg_namespace n ON n.oid = cl.relnamespace
        JOIN pg_attribute a ON a.attrelid = cl.oid AND a.attname = 'port_id' AND NOT a.attisdropped
        WHERE n.nspname = current_schema()
          AND cl.relkind = 'r'
          AND NOT (cl.relrowsecurity AND cl.relforcerowsecurity)
          AND cl.relname NOT IN (
              'jobs', 'job_schedules',
              'sessions', 'verifications', 'api_tokens',
              'user_port_roles', 'port_role_overrides')
    LOOP
        RAISE EXCEPTION 'table % has port_id but no forced row-level security', t;
    END LOOP;
END
$$;

-- One updated_at trigger per table that has the column.
DO $$
DECLARE
    t text;
BEGIN
    FOR t IN
        SELECT c.table_name
        FROM information_schema.columns c
        JOIN information_schema.tables tb
          ON tb.table_schema = c.table_schema AND tb.table_name = c.table_name
        WHERE c.table_schema = current_schema()
          AND c.column_name = 'updated_at'
          AND tb.table_type = 'BASE TABLE'
        ORDER BY c.table_name
    LOOP
        EXECUTE format(
            'CREATE TRIGGER set_updated_at BEFORE UPDATE ON %I '
            'FOR EACH ROW EXECUTE FUNCTION set_updated_at()', t);
    END LOOP;
END
$$;

-- Grants on everything that exists now (later objects: default privileges, 0001).
GRANT USAGE ON SCHEMA public TO nimara_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO nimara_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO nimara_app;
-- EXECUTE on our own functions only: extension functions (pg_trgm, citext) are
-- owned by the bootstrap superuser and already executable by PUBLIC; granting on
-- them as a non-superuser migrator would only print warnings.
DO $$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN
        SELECT p.oid::regprocedure
        FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public'
          AND p.proowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
          AND NOT EXISTS (SELECT 1 FROM pg_depend d
                          WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO nimara_app', f);
    END LOOP;
END
$$;
