-- Every charge writes a risk_decisions row inside the batch's transaction, so each index is paid on the charge
-- path. Ids are UUIDv7, so the primary key already orders decisions by time for a retrospective scan; by link,
-- the charges table leads to the decision through charge_id.
DROP INDEX risk_decisions_decided;
DROP INDEX risk_decisions_link;
