-- A FAPI consent runs out after 180 days; the bank reminds the customer and the operator before it does, once per
-- consent period, and the customer can renew it with MFA on the same link.
ALTER TABLE links
  -- The consent_expires_at the reminder was sent for: a renewal moves consent_expires_at, which opens a new period
  -- to be reminded of; equal means this period's reminder is written (and, with it, its notice and webhook).
  ADD COLUMN consent_reminded_for timestamptz,
  -- When the customer last renewed the consent (null: never; the link's own consent is its first).
  ADD COLUMN consent_renewed_at timestamptz;

-- The reminder job's question: active FAPI links by when their consent ends, smallest first.
CREATE INDEX links_consent_expiring ON links (consent_expires_at) WHERE status = 'active' AND consent_expires_at IS NOT NULL;
