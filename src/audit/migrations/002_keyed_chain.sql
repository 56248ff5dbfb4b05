-- The chain is keyed from here on: each entry's `hash` is an HMAC-SHA256 under FURIKAE_AUDIT_KEY, which lives
-- outside the database, so an owner of the database who edits an entry cannot re-chain the rest. Entries written
-- before keep their plain SHA-256; the bank marks where keying began with one entry of its own
-- ('audit.chain_keyed', written at its first start with a key), whose HMAC covers the legacy head.
COMMENT ON COLUMN audit_log.hash IS 'HMAC-SHA256 (hex) under the audit key of the entry''s RFC 8785 JSON; plain SHA-256 before the audit.chain_keyed entry';
-- Entries the bank writes itself (the keying mark) have no staff member.
ALTER TABLE audit_log ALTER COLUMN staff_id DROP NOT NULL;
-- One keying mark at most: a second one could only be an attempt to relabel keyed entries as legacy.
CREATE UNIQUE INDEX audit_log_one_chain_keyed ON audit_log (action) WHERE action = 'audit.chain_keyed';
