-- The sweep of DPoP proofs past their window (src/storage/expired-rows-sweeper.ts) finds them by expiry.
CREATE INDEX dpop_proofs_seen_expires_at ON dpop_proofs_seen (expires_at);
