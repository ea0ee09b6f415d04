-- The role every request query runs as (DESIGN §1: RLS on every user-owned table). It cannot log
-- in, owns nothing, and is not a superuser, so row-level security always applies to it.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'clawd_app') THEN
    CREATE ROLE clawd_app NOLOGIN NOSUPERUSER NOBYPASSRLS;
  END IF;
END $$;

DO $$ BEGIN EXECUTE format('GRANT USAGE ON SCHEMA %I TO clawd_app', current_schema()); END $$;

-- The user a transaction acts for, or NULL. set_config(..., true) scopes it to one transaction;
-- an unset or empty value yields NULL, and `user_id = NULL` matches nothing: policies fail closed.
CREATE OR REPLACE FUNCTION app_user_id() RETURNS text
  LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('app.user_id', true), '') $$;

CREATE TABLE users (
  id            text PRIMARY KEY,
  email         text NOT NULL,
  password_hash text NOT NULL,
  plan          text NOT NULL DEFAULT 'free',
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email));
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY users_self ON users USING (id = app_user_id()) WITH CHECK (id = app_user_id());

DO $$ BEGIN EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO clawd_app', current_schema()); END $$;
