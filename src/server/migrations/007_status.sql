-- Service status (DESIGN §1, issue 7): incidents operators post with `clawd server incident`,
-- shown to everyone on GET /v1/status. Nobody owns an incident and it holds nothing private, so
-- there is no RLS: request queries (as clawd_app, with no user) may read it.
CREATE TABLE incidents (
  id          text PRIMARY KEY,
  title       text NOT NULL,
  impact      text NOT NULL CHECK (impact IN ('minor', 'major', 'critical')),
  status      text NOT NULL CHECK (status IN ('investigating', 'identified', 'monitoring', 'resolved')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now(),
  resolved_at timestamptz
);
CREATE INDEX incidents_open_idx ON incidents (resolved_at, created_at);

CREATE TABLE incident_updates (
  id          bigserial PRIMARY KEY,
  incident_id text NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
  at          timestamptz NOT NULL DEFAULT now(),
  status      text NOT NULL,
  message     text NOT NULL
);
CREATE INDEX incident_updates_incident_idx ON incident_updates (incident_id, id);

DO $$ BEGIN EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO clawd_app', current_schema()); END $$;
DO $$ BEGIN EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA %I TO clawd_app', current_schema()); END $$;
