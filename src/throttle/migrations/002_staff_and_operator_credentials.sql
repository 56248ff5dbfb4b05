-- Two more credentials go through the same throttle: a staff member's console login (password and authenticator
-- code together), and an operator's own client secret. And one more alert: one account failing again and again
-- (a staff login being guessed, an operator's secret tried by someone without it).
ALTER TABLE credential_attempts DROP CONSTRAINT credential_attempts_credential_check,
  ADD CONSTRAINT credential_attempts_credential_check
  CHECK (credential IN ('legacy_pin', 'password', 'second_factor', 'staff_login', 'operator_secret'));
ALTER TABLE credential_account_states DROP CONSTRAINT credential_account_states_credential_check,
  ADD CONSTRAINT credential_account_states_credential_check
  CHECK (credential IN ('legacy_pin', 'password', 'second_factor', 'staff_login', 'operator_secret'));
ALTER TABLE credential_alerts DROP CONSTRAINT credential_alerts_credential_check,
  ADD CONSTRAINT credential_alerts_credential_check
  CHECK (credential IN ('legacy_pin', 'password', 'second_factor', 'staff_login', 'operator_secret'));
-- 'account_failures': the subject is the account key (staff:<login id> or operator:<client id>).
ALTER TABLE credential_alerts DROP CONSTRAINT credential_alerts_kind_check,
  ADD CONSTRAINT credential_alerts_kind_check CHECK (kind IN ('reverse_brute_force', 'operator_failure_rate', 'account_failures'));
