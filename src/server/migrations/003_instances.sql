-- Instances (DESIGN §1 isolation, lifecycle and crypto-shredding rows). The wrapped data key is
-- the only thing that can open the instance's files: deleting the row shreds them.
CREATE TABLE instances (
  id               text PRIMARY KEY,
  user_id          text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name             text NOT NULL,
  state            text NOT NULL,
  failure_reason   text,
  model            text NOT NULL DEFAULT 'dev/echo',
  wrapped_data_key text,
  isolation        jsonb,
  public_key       text,
  kid              text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  last_active_at   timestamptz NOT NULL DEFAULT now(),
  state_changed_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (user_id, name)
);
CREATE INDEX instances_state_idx ON instances (state, last_active_at);
ALTER TABLE instances ENABLE ROW LEVEL SECURITY;
ALTER TABLE instances FORCE ROW LEVEL SECURITY;
CREATE POLICY instances_owner ON instances USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());

-- The account's log: lifecycle events now, every authenticated request later. Never tokens,
-- keys or message text.
CREATE TABLE access_log (
  id          bigserial PRIMARY KEY,
  user_id     text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  at          timestamptz NOT NULL DEFAULT now(),
  kind        text NOT NULL,
  instance_id text,
  event       text,
  token_id    text,
  client      text,
  ip          text,
  method      text,
  route       text,
  status      integer,
  duration_ms integer,
  detail      jsonb
);
CREATE INDEX access_log_user_at_idx ON access_log (user_id, at);
CREATE INDEX access_log_at_idx ON access_log (at);
ALTER TABLE access_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE access_log FORCE ROW LEVEL SECURITY;
CREATE POLICY access_log_owner ON access_log USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());

DO $$ BEGIN EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO clawd_app', current_schema()); END $$;
DO $$ BEGIN EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %I TO clawd_app', current_schema()); END $$;
