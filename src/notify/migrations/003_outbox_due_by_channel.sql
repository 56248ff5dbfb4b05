-- The dispatcher claims due rows of the channels it can send. Without SMTP configured it claims SMS only, and
-- e-mails pile up pending (a bench or a lab run writes one per charge): keyed by channel first, a poll reads only
-- what it can claim instead of stepping over every waiting e-mail five times a second.
DROP INDEX notification_outbox_due;
CREATE INDEX notification_outbox_due ON notification_outbox (channel, next_attempt_at) WHERE status = 'pending';
