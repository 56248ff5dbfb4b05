-- Passkeys (WebAuthn credentials) a customer registered as a second factor, and the challenges the bank issued.
CREATE TABLE passkeys (
  id uuid PRIMARY KEY,
  customer_id uuid NOT NULL REFERENCES customers (id),
  -- The credential id the authenticator chose (base64url); unique across customers, as WebAuthn requires.
  credential_id text NOT NULL UNIQUE CHECK (char_length(credential_id) BETWEEN 1 AND 1400),
  -- The COSE public key. Public: it verifies signatures and cannot make them.
  public_key bytea NOT NULL,
  -- The authenticator's signature counter at its last accepted use; a use at or below it (when non-zero) is a clone.
  sign_count bigint NOT NULL CHECK (sign_count >= 0),
  -- How the browser may reach the authenticator ('internal', 'hybrid', 'usb', ...), as it reported at registration.
  transports jsonb NOT NULL,
  -- The customer's own name for it ("iPhone"), shown on the security page.
  name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
  -- 'singleDevice' or 'multiDevice' (synced), and whether it was backed up at registration.
  device_type text NOT NULL,
  backed_up boolean NOT NULL,
  created_at timestamptz NOT NULL,
  last_used_at timestamptz
);
CREATE INDEX passkeys_customer ON passkeys (customer_id, created_at);

-- Challenges issued for a registration or an assertion. Each is single use, short-lived, and bound to the
-- customer, to what it approves (purpose) and to the browser session or interaction it was shown in.
CREATE TABLE passkey_challenges (
  challenge text PRIMARY KEY CHECK (char_length(challenge) BETWEEN 16 AND 128),
  customer_id uuid NOT NULL REFERENCES customers (id),
  ceremony text NOT NULL CHECK (ceremony IN ('registration', 'authentication')),
  purpose text NOT NULL CHECK (char_length(purpose) BETWEEN 1 AND 40),
  -- A digest of the session cookie, or the authorization interaction's uid: a challenge shown in one browser
  -- session cannot be answered from another.
  bound_to text NOT NULL CHECK (char_length(bound_to) BETWEEN 1 AND 128),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  -- Set by the first answer that names it, whatever its outcome: a challenge is never verified twice.
  spent_at timestamptz
);
CREATE INDEX passkey_challenges_customer ON passkey_challenges (customer_id, created_at);

-- Factor events now include passkeys, and their removal.
ALTER TABLE second_factor_events DROP CONSTRAINT second_factor_events_factor_check;
ALTER TABLE second_factor_events ADD CONSTRAINT second_factor_events_factor_check CHECK (factor IN ('totp', 'sms', 'passkey'));
ALTER TABLE second_factor_events DROP CONSTRAINT second_factor_events_event_check;
ALTER TABLE second_factor_events ADD CONSTRAINT second_factor_events_event_check CHECK (event IN ('enrolled', 'locked', 'unlocked', 'removed'));
