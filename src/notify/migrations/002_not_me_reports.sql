-- "This wasn't me": a customer may freeze a link from the notice that told them of it.
ALTER TABLE links DROP CONSTRAINT links_status_check;
ALTER TABLE links ADD CONSTRAINT links_status_check CHECK (status IN ('active', 'revoked', 'frozen'));
ALTER TABLE links ADD COLUMN frozen_at timestamptz;

-- One row per "not me" token used. The primary key is the token's id, so a token works once even when two
-- clicks race in two processes; the row also records what the click did.
CREATE TABLE not_me_reports (
  token_id uuid PRIMARY KEY,
  customer_id uuid NOT NULL REFERENCES customers (id),
  link_id uuid NOT NULL REFERENCES links (id),
  -- The charge the notice was about; null for a link notice.
  charge_id uuid,
  reported_at timestamptz NOT NULL,
  -- The link's status before the click: 'active' (frozen now), or already 'frozen' or 'revoked'.
  link_status_before text NOT NULL,
  -- The dispute case opened for staff (src/cases), once that service exists in this database.
  case_id uuid
);
CREATE INDEX not_me_reports_link ON not_me_reports (link_id);
