-- 0001 foundation: extensions, shared helper functions and the request role.
--
-- * pg_trgm serves fuzzy search (client names, contact values); citext gives
--   case-insensitive user e-mails. gen_random_uuid() is built into PostgreSQL 13+,
--   so pgcrypto is not needed.
-- * app_port_id() is the one place the tenancy policies read the request's port
--   (DESIGN "Security rules"): an unset or empty app.port_id yields NULL, so a
--   transaction without a port sees no port-scoped rows at all.
-- * set_updated_at() is the single trigger function behind every updated_at
--   column (triggers are attached in the last migration of this set).
-- * nimara_app is the role requests run as (`SET LOCAL ROLE nimara_app`): it owns
--   nothing and lacks BYPASSRLS, so row-level security always applies to it.
--   Roles are cluster-wide, hence the idempotent DO blocks: a second database in
--   the same cluster migrates cleanly.

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS citext;

CREATE FUNCTION app_port_id() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('app.port_id', true), '')::uuid $$;

COMMENT ON FUNCTION app_port_id() IS
    'The port of the current transaction (set_config(''app.port_id'', …, true)); NULL when unset.';

CREATE FUNCTION set_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

-- The request role. Created once per cluster; refuses to continue if someone
-- gave an existing nimara_app powers that would defeat row-level security.
DO $$
DECLARE
    r pg_roles%ROWTYPE;
BEGIN
    BEGIN
        CREATE ROLE nimara_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    EXCEPTION WHEN duplicate_object THEN
        NULL; -- created by another database of this cluster
    END;
    SELECT * INTO r FROM pg_roles WHERE rolname = 'nimara_app';
    IF r.rolsuper OR r.rolbypassrls THEN
        RAISE EXCEPTION 'role nimara_app must be NOSUPERUSER NOBYPASSRLS (row-level security would not apply)';
    END IF;
END
$$;

-- The migrating (and connecting) user must be able to `SET ROLE nimara_app`.
DO $$
BEGIN
    IF current_user <> 'nimara_app' AND NOT EXISTS (
        SELECT 1
        FROM pg_auth_members m
        JOIN pg_roles g ON g.oid = m.roleid
        JOIN pg_roles u ON u.oid = m.member
        WHERE g.rolname = 'nimara_app' AND u.rolname = current_user
    ) THEN
        EXECUTE format('GRANT nimara_app TO %I', current_user);
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO nimara_app;

-- Objects created later by the migrating user in this database are granted
-- automatically; the last migration of this set also grants on everything
-- that exists by then.
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO nimara_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO nimara_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT EXECUTE ON FUNCTIONS TO nimara_app;

GRANT EXECUTE ON FUNCTION app_port_id() TO nimara_app;
GRANT EXECUTE ON FUNCTION set_updated_at() TO nimara_app;
