-- Legacy PIN locks raise an alert, grouped per operator and per source (the 2020 attack's signature: three wrong
-- PINs on account after account through one wallet). The subject is '<operator id or none>|<device:id or ip:address>';
-- accounts_count counts the locks the group caused, failures_count the failures behind them.
ALTER TABLE credential_alerts DROP CONSTRAINT credential_alerts_kind_check,
  ADD CONSTRAINT credential_alerts_kind_check
  CHECK (kind IN ('reverse_brute_force', 'operator_failure_rate', 'account_failures', 'legacy_pin_locks'));
