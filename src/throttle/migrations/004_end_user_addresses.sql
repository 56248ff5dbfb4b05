-- The end user's address as the operator relayed it (PSU-IP-Address) on the legacy link, beside the connecting address
-- (the operator's server, which all its users share). end_user_ip_key is what the throttle counts by: the IPv4
-- address, or the IPv6 /64.
ALTER TABLE credential_attempts
  ADD COLUMN end_user_ip text CHECK (char_length(end_user_ip) BETWEEN 1 AND 45),
  ADD COLUMN end_user_ip_key text CHECK (char_length(end_user_ip_key) BETWEEN 1 AND 64),
  ADD CHECK ((end_user_ip IS NULL) = (end_user_ip_key IS NULL));
-- Failures per end-user address within one operator: the end user's own window.
CREATE INDEX credential_attempts_end_user_failures ON credential_attempts (operator_id, end_user_ip_key, at)
  WHERE outcome = 'failure' AND end_user_ip_key IS NOT NULL;
-- A sprayer's relayed address is blocked within the operator that relayed it ('<operator id>|<address key>'): another
-- operator's word about an address never blocks this one's users behind the same carrier NAT.
ALTER TABLE credential_blocks DROP CONSTRAINT credential_blocks_dimension_check,
  ADD CONSTRAINT credential_blocks_dimension_check CHECK (dimension IN ('source_ip', 'device_id', 'secret_fingerprint', 'end_user_ip'));
