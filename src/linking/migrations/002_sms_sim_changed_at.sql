-- A link approved by an SMS code keeps when the carrier last changed the SIM behind the holder's number (CAMARA
-- retrieve-date, asked at the approval): a thief who swapped the SIM and waited out the 72-hour check typed that code.
-- Null: approved by another factor, made before this column, or the carrier knew of no change.
ALTER TABLE links ADD COLUMN sms_sim_changed_at timestamptz;
