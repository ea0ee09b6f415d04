-- Channels (issue 17): another way in to an instance, Telegram first. Like BYOK keys, the bot
-- token is stored only as HPKE ciphertext sealed to the instance's public key; the webhook's
-- secret only as a peppered HMAC, which is how an incoming update finds its instance.
CREATE TABLE instance_channels (
  instance_id         text NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
  user_id             text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  kind                text NOT NULL,
  bot_id              bigint NOT NULL,
  bot_username        text NOT NULL,
  fingerprint         text NOT NULL,
  dm_policy           text NOT NULL,
  allow_from          text[] NOT NULL DEFAULT '{}',
  api_url             text,
  version             bigint NOT NULL,
  kid                 text NOT NULL,
  enc                 text NOT NULL,
  ct                  text NOT NULL,
  webhook_secret_hash text NOT NULL UNIQUE,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (instance_id, kind)
);
ALTER TABLE instance_channels ENABLE ROW LEVEL SECURITY;
ALTER TABLE instance_channels FORCE ROW LEVEL SECURITY;
CREATE POLICY instance_channels_owner ON instance_channels USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());

DO $$ BEGIN EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO clawd_app', current_schema()); END $$;
