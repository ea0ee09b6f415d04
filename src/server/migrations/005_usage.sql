-- Messages per user per UTC day, for the plan's daily quota (DESIGN §1 abuse row). Counted with
-- one conditional upsert, so several API processes on one PostgreSQL never overshoot.
CREATE TABLE daily_usage (
  user_id  text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  day      date NOT NULL,
  messages integer NOT NULL DEFAULT 0,
  PRIMARY KEY (user_id, day)
);
ALTER TABLE daily_usage ENABLE ROW LEVEL SECURITY;
ALTER TABLE daily_usage FORCE ROW LEVEL SECURITY;
CREATE POLICY daily_usage_owner ON daily_usage USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());

DO $$ BEGIN EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO clawd_app', current_schema()); END $$;
