-- Auth (DESIGN §4): web sessions for the sign-in pages, device grants (RFC 8628), bearer tokens,
-- and the rate-limit buckets. Secrets are never stored in clear: session ids, device codes and
-- tokens are kept only as peppered HMAC-SHA256 hashes.

-- A signed-in browser. The cookie holds the session id; only its hash is here.
CREATE TABLE web_sessions (
  id_hash      text PRIMARY KEY,
  user_id      text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  created_at   timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL,
  user_agent   text,
  client_ip    text
);
CREATE INDEX web_sessions_user_idx ON web_sessions (user_id);
CREATE INDEX web_sessions_expires_idx ON web_sessions (expires_at);
ALTER TABLE web_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE web_sessions FORCE ROW LEVEL SECURITY;
CREATE POLICY web_sessions_owner ON web_sessions USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());

-- One device authorization request. It belongs to nobody until a person approves it, so the
-- OAuth endpoints reach it as the system; once approved it is the approver's.
CREATE TABLE device_grants (
  id              text PRIMARY KEY,
  device_code_hash text NOT NULL UNIQUE,
  -- 8 characters from BCDFGHJKLMNPQRSTVWXZ, stored without the dash.
  user_code       text NOT NULL CHECK (user_code ~ '^[BCDFGHJKLMNPQRSTVWXZ]{8}$'),
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'denied', 'consumed')),
  client_id       text NOT NULL,
  scope           text,
  client_ip       text,
  user_agent      text,
  requested_at    timestamptz NOT NULL,
  expires_at      timestamptz NOT NULL,
  -- Seconds the client must wait between polls; grows by 5 on each slow_down.
  "interval"      integer NOT NULL,
  last_polled_at  timestamptz,
  decided_at      timestamptz,
  user_id         text REFERENCES users (id) ON DELETE CASCADE
);
-- A user code is unambiguous while it can still be approved.
CREATE UNIQUE INDEX device_grants_pending_code_key ON device_grants (user_code) WHERE status = 'pending';
CREATE INDEX device_grants_user_code_idx ON device_grants (user_code);
CREATE INDEX device_grants_expires_idx ON device_grants (expires_at);
ALTER TABLE device_grants ENABLE ROW LEVEL SECURITY;
ALTER TABLE device_grants FORCE ROW LEVEL SECURITY;
CREATE POLICY device_grants_owner ON device_grants USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());

-- Access (at), refresh (rt) and personal API (pat) tokens. A login's access and refresh tokens
-- share a family_id, so reuse of a spent refresh token can revoke all of them at once.
CREATE TABLE tokens (
  id            text PRIMARY KEY,
  user_id       text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind          text NOT NULL CHECK (kind IN ('at', 'rt', 'pat')),
  hash          text NOT NULL UNIQUE,
  name          text,
  client_id     text,
  family_id     text,
  parent_id     text,
  created_at    timestamptz NOT NULL,
  expires_at    timestamptz,
  revoked_at    timestamptz,
  -- Set when a refresh token is exchanged: a second use is a replay.
  used_at       timestamptz,
  last_used_at  timestamptz
);
CREATE INDEX tokens_user_idx ON tokens (user_id, kind);
CREATE INDEX tokens_family_idx ON tokens (family_id);
ALTER TABLE tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tokens_owner ON tokens USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());

-- Token buckets for rate limits, shared by every API process on one database. Keys name what is
-- limited (e.g. `device-code:ip:203.0.113.7`); no user owns a bucket, so there is no RLS.
CREATE TABLE rate_limit_buckets (
  key         text PRIMARY KEY,
  tokens      double precision NOT NULL,
  updated_at  timestamptz NOT NULL,
  -- Whether the last take succeeded, so one statement can both update and report it.
  allowed     boolean NOT NULL
);
CREATE INDEX rate_limit_buckets_updated_idx ON rate_limit_buckets (updated_at);

DO $$ BEGIN EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO clawd_app', current_schema()); END $$;
