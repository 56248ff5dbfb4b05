-- What each staff member may do in the console: viewer reads, analyst also works alerts and cases,
-- admin also flips kill switches and unlocks. Staff who existed before roles start with the least.
ALTER TABLE staff_users
  ADD COLUMN role text NOT NULL DEFAULT 'viewer' CHECK (role IN ('viewer', 'analyst', 'admin'));
