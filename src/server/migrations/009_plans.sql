-- Plans and tools (issue 11). users.plan already names the plan (001); the plans themselves are
-- server configuration. Each instance keeps its tool policy, shaped like OpenClaw's tools config:
-- {"profile": "minimal" | "coding", "allow": [...], "deny": [...]}. Existing instances get the
-- policy with no tools, which is what they ran with before tools existed.
ALTER TABLE instances ADD COLUMN tool_policy jsonb NOT NULL DEFAULT '{"profile": "minimal", "allow": [], "deny": []}';

-- Invite codes operators make with `clawd server invites create`. Only the code's peppered HMAC is
-- stored, like tokens. Sign-up redeems one use with a conditional UPDATE, so concurrent sign-ups
-- never exceed max_uses. Nobody owns an invite: RLS is on with no policy, so request queries
-- (clawd_app) see no row at all; only the system role (sign-up, operator routes) reads them.
CREATE TABLE invites (
  id           text PRIMARY KEY,
  code_hash    text NOT NULL UNIQUE,
  plan         text NOT NULL,
  max_uses     integer NOT NULL CHECK (max_uses > 0),
  uses         integer NOT NULL DEFAULT 0 CHECK (uses >= 0 AND uses <= max_uses),
  created_at   timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL,
  last_used_at timestamptz
);
CREATE INDEX invites_expires_idx ON invites (expires_at);
ALTER TABLE invites ENABLE ROW LEVEL SECURITY;
ALTER TABLE invites FORCE ROW LEVEL SECURITY;

DO $$ BEGIN EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO clawd_app', current_schema()); END $$;
