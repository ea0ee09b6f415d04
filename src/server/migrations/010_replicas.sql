-- API replicas on one PostgreSQL (DESIGN §2 "Past one machine"). Each `server start` registers a
-- row and beats on the database clock; a replica whose heartbeat is older than the bound counts
-- as gone. Not user data: no RLS, and the request role may only read it.
CREATE TABLE replicas (
  id           text PRIMARY KEY,
  -- Where other replicas dial its internal listener; null when it runs without one.
  internal_url text,
  started_at   timestamptz NOT NULL DEFAULT now(),
  heartbeat_at timestamptz NOT NULL DEFAULT now(),
  -- Set on a clean stop, so "gone" can say "stopped" rather than "stopped answering".
  stopped_at   timestamptz,
  -- A draining replica takes no new placements.
  draining     boolean NOT NULL DEFAULT false
);

-- Where each instance runs and the endpoint that reaches it (the owning replica's internal
-- listener today; a pod address when a cluster driver records one).
ALTER TABLE instances ADD COLUMN replica_id text;
ALTER TABLE instances ADD COLUMN endpoint text;
CREATE INDEX instances_replica_idx ON instances (replica_id, state);

-- Open answer streams, counted in the database so the plan's concurrent-stream limit holds
-- across replicas. A slot whose replica is gone no longer counts (it died with its streams).
CREATE TABLE stream_slots (
  id         text PRIMARY KEY,
  user_id    text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  replica_id text NOT NULL,
  opened_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stream_slots_user_idx ON stream_slots (user_id);
ALTER TABLE stream_slots ENABLE ROW LEVEL SECURITY;
ALTER TABLE stream_slots FORCE ROW LEVEL SECURITY;
CREATE POLICY stream_slots_owner ON stream_slots USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id());

DO $$ BEGIN EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I.stream_slots TO clawd_app', current_schema()); END $$;
DO $$ BEGIN EXECUTE format('GRANT SELECT ON %I.replicas TO clawd_app', current_schema()); END $$;

-- Cluster-wide jobs (auth and access-log sweeps): the replica that claims a period runs it, the
-- others skip it, so N replicas do not sweep N times.
CREATE TABLE job_runs (
  name        text PRIMARY KEY,
  holder      text NOT NULL,
  last_run_at timestamptz NOT NULL DEFAULT now()
);
