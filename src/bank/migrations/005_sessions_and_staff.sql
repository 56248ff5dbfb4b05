-- Staff of the bank who use the console.
CREATE TABLE staff_users (
  id uuid PRIMARY KEY,
  login_id text NOT NULL UNIQUE,
  display_name text NOT NULL,
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL
);

-- Browser sessions for customer and staff pages: a random id in an HttpOnly cookie, stored hashed.
CREATE TABLE web_sessions (
  id_hash text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('customer', 'staff')),
  subject_id uuid NOT NULL,
  csrf_token text NOT NULL,
  expires_at timestamptz NOT NULL
);
