-- The console needs a second factor: an authenticator app (TOTP), provisioned out of band (`furikae staff add` or
-- `furikae staff enrol` print its otpauth URI once), never from the console, so a stolen password cannot enrol one.
ALTER TABLE staff_users
  -- SECRET. The TOTP seed (base32). It has to be readable to compute codes, so it cannot be hashed: never log it,
  -- never show it after enrolment. Null: not enrolled, and the member cannot log in.
  ADD COLUMN totp_secret text,
  -- The last TOTP time step accepted: a code from that step or an earlier one is a replay (RFC 6238 §5.2).
  ADD COLUMN totp_time_step_last bigint,
  ADD COLUMN totp_enrolled_at timestamptz,
  ADD CONSTRAINT staff_users_totp_enrolled CHECK ((totp_secret IS NULL) = (totp_enrolled_at IS NULL));

-- Who failed logins with a login id that names nobody: the audit log records every failed login, and its staff_id
-- must name a row. This one has no password (it can never verify) and no authenticator, so it can never log in.
INSERT INTO staff_users (id, login_id, display_name, password_hash, role, created_at)
VALUES ('00000000-0000-0000-0000-000000000000', '(unknown login)', '不明なログインID Unknown login id', '!', 'viewer', now())
ON CONFLICT (id) DO NOTHING;
