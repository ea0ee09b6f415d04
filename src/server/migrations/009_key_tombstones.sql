-- A deleted BYOK key leaves its last version behind (issue 16): a replay of its old sealed upload
-- (or of any older one) must not bring it back. `keys set` after a delete seals a higher version.
-- No user_id: ownership follows the instance, and the row goes with it (crypto-shredding).
CREATE TABLE instance_key_tombstones (
  instance_id  text NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
  name         text NOT NULL,
  version      bigint NOT NULL,
  deleted_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (instance_id, name)
);
ALTER TABLE instance_key_tombstones ENABLE ROW LEVEL SECURITY;
ALTER TABLE instance_key_tombstones FORCE ROW LEVEL SECURITY;
CREATE POLICY instance_key_tombstones_owner ON instance_key_tombstones
  USING (EXISTS (SELECT 1 FROM instances i WHERE i.id = instance_id AND i.user_id = app_user_id()))
  WITH CHECK (EXISTS (SELECT 1 FROM instances i WHERE i.id = instance_id AND i.user_id = app_user_id()));

DO $$ BEGIN EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO clawd_app', current_schema()); END $$;
