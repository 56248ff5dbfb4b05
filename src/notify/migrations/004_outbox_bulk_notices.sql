-- Bulk notices (a campaign telling every linked customer to check their passbook) go through the same outbox as
-- link and charge notices, but behind them: the dispatcher claims ordinary rows first and bulk rows only with the
-- room left, at a configured rate. A bulk row names its campaign; ordinary rows have none. No foreign key: a
-- campaign writes a million rows in one statement, and the campaigns table comes later (src/outreach).
ALTER TABLE notification_outbox ADD COLUMN campaign_id uuid;

-- A bulk notice is sent at most once. It is marked 'sending' (with claimed_at) in a committed claim before the mail
-- goes out, and 'sent' after; one still 'sending' after its lease belongs to a process that died mid-send, and may
-- or may not have reached the relay: it becomes 'uncertain' for staff to see, never resent on its own.
-- 'cancelled': its campaign was cancelled before it went.
ALTER TABLE notification_outbox DROP CONSTRAINT notification_outbox_status_check;
ALTER TABLE notification_outbox ADD CONSTRAINT notification_outbox_status_check
  CHECK (status IN ('pending', 'sent', 'failed', 'sending', 'uncertain', 'cancelled'));
ALTER TABLE notification_outbox ADD COLUMN claimed_at timestamptz;
ALTER TABLE notification_outbox ADD CONSTRAINT notification_outbox_sending_claimed
  CHECK ((status = 'sending') = (claimed_at IS NOT NULL));
ALTER TABLE notification_outbox ADD CONSTRAINT notification_outbox_bulk_states
  CHECK (campaign_id IS NOT NULL OR status IN ('pending', 'sent', 'failed'));

-- Ordinary rows keep an index of their own, so a million waiting bulk rows never lengthen the ordinary claim, and the
-- outbox-lag metric measures ordinary notices only.
DROP INDEX notification_outbox_due;
CREATE INDEX notification_outbox_due ON notification_outbox (channel, next_attempt_at) WHERE status = 'pending' AND campaign_id IS NULL;
DROP INDEX notification_outbox_pending_age;
CREATE INDEX notification_outbox_pending_age ON notification_outbox (created_at) WHERE status = 'pending' AND campaign_id IS NULL;
-- Bulk rows are claimed per running campaign, in order.
CREATE INDEX notification_outbox_campaign_due ON notification_outbox (campaign_id, next_attempt_at, id) WHERE status = 'pending' AND campaign_id IS NOT NULL;
CREATE INDEX notification_outbox_sending ON notification_outbox (claimed_at) WHERE status = 'sending';
