-- `clawd logs --follow` asks for a user's entries after an id; this keeps that an index range.
CREATE INDEX access_log_user_id_idx ON access_log (user_id, id);

DO $$ BEGIN EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO clawd_app', current_schema()); END $$;
