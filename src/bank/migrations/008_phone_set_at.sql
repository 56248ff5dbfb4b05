-- When the customer's phone number on record was set (at opening) or last changed. The SMS second factor and every
-- step-up code go to this number, so a number changed days ago is a risk feature (phone_number_age_hours): a thief
-- who talked the number into their own hands receives the codes. The carrier's SIM-swap answer covers a swapped SIM
-- behind the same number; this column covers the number itself. Existing customers count from their opening.
ALTER TABLE customers ADD COLUMN phone_set_at timestamptz;
UPDATE customers SET phone_set_at = created_at;
ALTER TABLE customers ALTER COLUMN phone_set_at SET NOT NULL;
