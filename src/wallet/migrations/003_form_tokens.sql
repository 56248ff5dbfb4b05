-- Form tokens are @fastify/csrf-protection's now (src/http/form-csrf.ts): made per page, bound to the session
-- cookie (or, before login, to the browser's secret cookie alone), so sessions keep no token and visitors need
-- no session of their own.
ALTER TABLE wallet_sessions DROP COLUMN csrf_token;
DELETE FROM wallet_sessions WHERE user_id IS NULL;
ALTER TABLE wallet_sessions ALTER COLUMN user_id SET NOT NULL;

-- Server keys made once and shared by every process (the form-token HMAC key): random, never configured.
CREATE TABLE app_secrets (
  name text PRIMARY KEY,
  -- SECRET. base64url.
  value text NOT NULL,
  created_at timestamptz NOT NULL
);
