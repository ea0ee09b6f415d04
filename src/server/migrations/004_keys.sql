-- BYOK keys (DESIGN §1): only the HPKE ciphertext is stored, sealed to the instance's public key.
-- The API cannot open it; the instance can, and only in memory.
CREATE TABLE instance_keys (
  instance_id  text NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
  user_id      text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name         text NOT NULL,
  provider     text NOT NULL,
  fingerprint  text NOT NULL,
  base_url     text,
  version      bigint NOT NULL,
  kid          text NOT NULL,
  enc          text NOT NULL,
  ct           text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  PRIMARY KEY (instance_id, name)
);
ALTER TABLE instance_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE instance_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY instance_keys_owner ON instance_keys USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());

DO $$ BEGIN EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO clawd_app', current_schema()); END $$;
