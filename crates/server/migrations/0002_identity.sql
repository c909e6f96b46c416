-- 0002 identity and tenancy core: ports, roles, users and authentication.
--
-- Spec tables: ports, user_profiles (the spec's "users" extension table), roles,
-- port_role_overrides, user_port_roles.
-- Additions (DESIGN "Tenancy and access": they replace Better Auth): users,
-- accounts (argon2id password hashes), sessions, verifications (invitation,
-- password reset and e-mail verification tokens), api_tokens. Every token is
-- stored only as a hash (BYTEA). user_profiles.user_id and user_port_roles.user_id
-- keep the spec's TEXT type and now reference users(id).
--
-- None of these tables has row-level security: ports is the tenant list itself;
-- users/accounts/sessions/verifications/api_tokens are read before a port is
-- known (sign-in, cookie and token lookup); user_port_roles and
-- port_role_overrides are read by the access extractor to decide whether the
-- user may enter the port at all, before the port transaction is opened.
-- The application filters these by user and port explicitly.

CREATE TABLE ports (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  name TEXT NOT NULL,
  slug TEXT NOT NULL UNIQUE,  -- URL-safe identifier
  logo_url TEXT,
  primary_color TEXT,  -- hex color for branding
  default_currency TEXT NOT NULL DEFAULT 'USD',
  timezone TEXT NOT NULL DEFAULT 'America/Anguilla',
  settings JSONB NOT NULL DEFAULT '{}',  -- port-specific config overrides
  is_active BOOLEAN NOT NULL DEFAULT true,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE roles (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  name TEXT NOT NULL,
  description TEXT,
  permissions JSONB NOT NULL DEFAULT '{}',  -- { "clients.view": true, "clients.create": true, ... }
  is_global BOOLEAN NOT NULL DEFAULT true,  -- available at all ports
  is_system BOOLEAN NOT NULL DEFAULT false,  -- protected from deletion (super_admin, director)
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Addition: the user account (replaces Better Auth's user table).
CREATE TABLE users (
  id TEXT PRIMARY KEY DEFAULT gen_random_uuid()::text,
  email CITEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  email_verified BOOLEAN NOT NULL DEFAULT false,
  image TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Addition: sign-in methods of a user; provider 'credential' holds the argon2id hash.
CREATE TABLE accounts (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  provider_id TEXT NOT NULL DEFAULT 'credential',
  account_id TEXT NOT NULL,
  password_hash TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE (provider_id, account_id)
);
CREATE INDEX idx_accounts_user ON accounts(user_id);

-- Addition: browser sessions; the cookie carries the token, the table its hash.
CREATE TABLE sessions (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash BYTEA NOT NULL UNIQUE,
  ip_address TEXT,
  user_agent TEXT,
  active_port_id UUID REFERENCES ports(id) ON DELETE SET NULL,
  csrf_token TEXT,
  expires_at TIMESTAMPTZ NOT NULL,
  idle_expires_at TIMESTAMPTZ NOT NULL,
  last_seen_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  revoked_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_sessions_user ON sessions(user_id);
CREATE INDEX idx_sessions_expires ON sessions(expires_at);
CREATE INDEX idx_sessions_active_port ON sessions(active_port_id) WHERE active_port_id IS NOT NULL;

-- Addition: one-time tokens (hashed) for invitations, password resets and
-- e-mail verification. An invitation carries the port and role it grants.
CREATE TABLE verifications (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  identifier TEXT NOT NULL,  -- normally the e-mail address concerned
  purpose TEXT NOT NULL CHECK (purpose IN ('invitation', 'password_reset', 'email_verification')),
  token_hash BYTEA NOT NULL UNIQUE,
  user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
  port_id UUID REFERENCES ports(id) ON DELETE CASCADE,
  role_id UUID REFERENCES roles(id) ON DELETE CASCADE,
  invited_by TEXT,
  expires_at TIMESTAMPTZ NOT NULL,
  used_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_verifications_identifier ON verifications(identifier, purpose);
CREATE INDEX idx_verifications_user ON verifications(user_id) WHERE user_id IS NOT NULL;
CREATE INDEX idx_verifications_port ON verifications(port_id) WHERE port_id IS NOT NULL;
CREATE INDEX idx_verifications_role ON verifications(role_id) WHERE role_id IS NOT NULL;
CREATE INDEX idx_verifications_expires ON verifications(expires_at);

-- Addition: API tokens, per user and port, stored hashed; token_prefix is the
-- short public part shown in the UI to recognise a token.
CREATE TABLE api_tokens (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  port_id UUID NOT NULL REFERENCES ports(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  token_hash BYTEA NOT NULL UNIQUE,
  token_prefix TEXT NOT NULL,
  last_used_at TIMESTAMPTZ,
  expires_at TIMESTAMPTZ,
  revoked_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX idx_api_tokens_user ON api_tokens(user_id);
CREATE INDEX idx_api_tokens_port ON api_tokens(port_id);

-- Spec "users": Better Auth's user table extended with CRM fields. The FK to
-- users(id) is an addition (the spec's user table is external).
CREATE TABLE user_profiles (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id TEXT NOT NULL UNIQUE REFERENCES users(id) ON DELETE CASCADE,
  display_name TEXT NOT NULL,
  avatar_url TEXT,
  phone TEXT,
  is_super_admin BOOLEAN NOT NULL DEFAULT false,
  is_active BOOLEAN NOT NULL DEFAULT true,
  last_login_at TIMESTAMPTZ,
  preferences JSONB NOT NULL DEFAULT '{}',  -- dark mode, locale, etc.
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- No row-level security (see the header): read before the port transaction.
CREATE TABLE port_role_overrides (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  port_id UUID NOT NULL REFERENCES ports(id) ON DELETE CASCADE,
  role_id UUID NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
  permission_overrides JSONB NOT NULL DEFAULT '{}',  -- overrides specific permissions for this port
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE(port_id, role_id)
);
CREATE INDEX idx_pro_role ON port_role_overrides(role_id);

-- No row-level security (see the header): read before the port transaction.
-- The FK to users(id) is an addition.
CREATE TABLE user_port_roles (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,  -- references Better Auth user ID
  port_id UUID NOT NULL REFERENCES ports(id) ON DELETE CASCADE,
  role_id UUID NOT NULL REFERENCES roles(id) ON DELETE CASCADE,
  assigned_by TEXT,  -- user ID of who assigned this
  created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
  UNIQUE(user_id, port_id, role_id)
);
CREATE INDEX idx_upr_user ON user_port_roles(user_id);
CREATE INDEX idx_upr_port ON user_port_roles(port_id);
CREATE INDEX idx_upr_role ON user_port_roles(role_id);
