-- The history tables keep only what the risk features read. A repeat charge through a known operator no longer
-- rewrites its customer–operator row: only when the customer first charged through it matters.
ALTER TABLE risk_customer_stats DROP COLUMN charged_yen_total, DROP COLUMN last_charge_at;
ALTER TABLE risk_customer_operators DROP COLUMN charges_count;
ALTER TABLE risk_link_stats DROP COLUMN first_charge_at;
