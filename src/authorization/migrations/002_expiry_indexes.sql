-- The sweep of expired authorization records (src/storage/expired-rows-sweeper.ts) finds them by expiry.
CREATE INDEX oidc_payloads_expires_at ON oidc_payloads (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX interaction_states_expires_at ON interaction_states (expires_at);
