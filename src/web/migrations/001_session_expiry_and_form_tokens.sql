-- Sessions now end on inactivity as well as at a fixed time: idle_expires_at moves forward with every request
-- and expires_at, set at login, never does (src/web/session-store.ts).
ALTER TABLE web_sessions ADD COLUMN idle_expires_at timestamptz;
UPDATE web_sessions SET idle_expires_at = expires_at;
ALTER TABLE web_sessions ALTER COLUMN idle_expires_at SET NOT NULL;
-- Form tokens are @fastify/csrf-protection's now (src/web/form-csrf.ts), made per page and bound to the session
-- cookie, so neither sessions nor consent interactions keep a token of their own.
ALTER TABLE web_sessions DROP COLUMN csrf_token;
ALTER TABLE interaction_states DROP COLUMN csrf_token;

-- Server keys made once and shared by every process (the form-token HMAC key): random, never configured.
CREATE TABLE app_secrets (
  name text PRIMARY KEY,
  -- SECRET. base64url.
  value text NOT NULL,
  created_at timestamptz NOT NULL
);
