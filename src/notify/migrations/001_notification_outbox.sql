-- The transactional outbox: every notice to a customer is a row written in the same transaction as the event
-- (link, charge), so a committed event always has its notice and a rolled-back one has none. The dispatcher
-- sends rows and records how delivery went; a row is never deleted, so staff can see what a customer was told.
CREATE TABLE notification_outbox (
  id uuid PRIMARY KEY,
  created_at timestamptz NOT NULL,
  customer_id uuid NOT NULL REFERENCES customers (id),
  channel text NOT NULL CHECK (channel IN ('email', 'sms')),
  -- Which template renders it ('link_created', 'charge_succeeded', 'second_factor_locked', …).
  template text NOT NULL CHECK (char_length(template) BETWEEN 1 AND 64),
  -- What the template shows, captured at the event: operator name, masked account, amount. Never a PIN,
  -- code, token or full account number; the address is read from the customer's record when sending.
  data jsonb NOT NULL,
  attempts integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  -- When a dispatcher may (re)try it: now for a new row, later after a failure (back-off) or while a
  -- dispatcher holds it (lease), so another process never sends it twice.
  next_attempt_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  last_error text CHECK (char_length(last_error) <= 500),
  sent_at timestamptz,
  CHECK ((status = 'sent') = (sent_at IS NOT NULL))
);
CREATE INDEX notification_outbox_due ON notification_outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notification_outbox_pending_age ON notification_outbox (created_at) WHERE status = 'pending';
CREATE INDEX notification_outbox_customer ON notification_outbox (customer_id, created_at);
