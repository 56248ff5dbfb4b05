/**
 * Every stable error code furikae answers with, in one registry.
 * The HTTP layer alone maps a code to its status; docs/errors.md documents each one (a test keeps them in step).
 */
export const errorCodes = {
  // Request shape
  validation_failed: { status: 400, title: 'The request does not match its schema' },
  body_too_large: { status: 413, title: 'The request body is larger than allowed' },
  unsupported_media_type: { status: 415, title: 'The request body must be JSON' },
  route_not_found: { status: 404, title: 'No such endpoint' },
  idempotency_key_required: { status: 400, title: 'This request needs an Idempotency-Key header' },
  idempotency_key_reused: { status: 409, title: 'This Idempotency-Key was used with a different request' },
  // Operator authentication and policy
  operator_unauthenticated: { status: 401, title: 'Operator credentials are missing or wrong' },
  link_method_not_allowed: { status: 403, title: "The operator's policy does not allow this link method" },
  new_links_suspended: { status: 403, title: 'New links to this operator are suspended' },
  charges_suspended: { status: 403, title: 'Charges by this operator are suspended' },
  // Links
  link_credentials_mismatch: { status: 422, title: 'The account details do not match a bank account' },
  link_token_invalid: { status: 401, title: 'The link credential is missing or unknown' },
  link_not_found: { status: 404, title: 'No such link for this operator' },
  link_revoked: { status: 403, title: 'The link has been revoked' },
  link_mismatch: { status: 403, title: 'The credential is for another link' },
  consent_expired: { status: 403, title: "The customer's consent for this link has expired" },
  access_token_invalid: { status: 401, title: 'The access token is missing, expired, or not for this API' },
  dpop_proof_invalid: { status: 401, title: 'The DPoP proof is missing or does not match the token and request' },
  dpop_proof_replayed: { status: 401, title: 'This DPoP proof was already used' },
  // KYC attestation and identity match
  kyc_attestation_invalid: { status: 422, title: "The KYC attestation is not a valid one signed by this operator's registered key" },
  kyc_attestation_expired: { status: 422, title: 'The KYC attestation has expired' },
  kyc_attestation_replayed: { status: 409, title: 'This KYC attestation was already used; the operator must sign a fresh one' },
  kyc_level_too_low: { status: 403, title: "The KYC level is below the operator's minimum" },
  identity_mismatch: { status: 422, title: "The wallet's verified identity does not match the account holder" },
  // Second factors and throttling
  second_factor_failed: { status: 401, title: 'The second factor was not accepted' },
  second_factor_locked: { status: 423, title: 'This second factor is locked after too many failures; the bank must unlock it' },
  totp_already_enrolled: { status: 409, title: 'An authenticator app is already registered' },
  totp_enrolment_not_started: { status: 409, title: 'No authenticator registration is waiting for a code' },
  credential_attempts_locked: { status: 423, title: 'This credential is locked after too many failures; the bank must unlock it' },
  too_many_attempts: { status: 429, title: 'Too many attempts; try again later' },
  // Charges and refunds
  charge_yen_max_exceeded: { status: 422, title: "The amount exceeds the operator's per-charge limit" },
  charges_yen_per_month_max_exceeded: { status: 422, title: "The amount would exceed the link's monthly limit" },
  insufficient_funds: { status: 422, title: 'The account balance is too low' },
  charge_not_found: { status: 404, title: 'No such charge for this operator' },
  refund_exceeds_charge: { status: 422, title: 'The refund is larger than what remains of the charge' },
  operator_funds_insufficient: { status: 422, title: "The operator's settlement account cannot cover the refund" },
  // Wallet
  wallet_unauthenticated: { status: 401, title: 'Please log in to the wallet' },
  wallet_email_taken: { status: 409, title: 'A wallet account with this e-mail exists' },
  wallet_user_not_found: { status: 404, title: 'No such wallet user' },
  wallet_balance_insufficient: { status: 422, title: 'The wallet balance is too low' },
  wallet_no_bank_link: { status: 409, title: 'Link a bank account first' },
  bank_refused: { status: 502, title: 'The bank refused the request' },
  wallet_credentials_invalid: { status: 401, title: 'The e-mail or password is wrong' },
  wallet_csrf_token_invalid: { status: 403, title: 'The form has expired; reload it and try again' },
  wallet_merchant_not_found: { status: 404, title: 'No such merchant' },
  wallet_send_to_self: { status: 422, title: 'A wallet cannot send money to itself' },
  wallet_bank_link_exists: { status: 409, title: 'This wallet already has an active bank link' },
  wallet_bank_unreachable: { status: 504, title: 'The bank did not answer in time' },
  // Hardened wallet
  wallet_phone_code_invalid: { status: 422, title: 'The code is wrong or has expired' },
  wallet_phone_codes_too_many: { status: 429, title: 'Too many codes were sent to this phone; try again later' },
  wallet_phone_taken: { status: 409, title: 'This phone number already belongs to another wallet' },
  wallet_phone_not_verified: { status: 403, title: 'Verify your phone number first' },
  wallet_ekyc_document_invalid: { status: 422, title: 'The identity document must be a PNG, JPEG or WebP image' },
  wallet_ekyc_document_too_large: { status: 413, title: 'The identity document image is too large' },
  wallet_ekyc_refused: { status: 422, title: 'The identity verification failed' },
  wallet_ekyc_required: { status: 403, title: 'Verify your identity (eKYC) before linking a bank account' },
  wallet_link_state_invalid: { status: 400, title: 'This answer from the bank is unknown, expired or already used' },
  wallet_link_declined: { status: 403, title: 'The bank did not link the account' },
  wallet_bank_authorization_failed: { status: 502, title: "The bank's authorization server refused the wallet's request" },
  // Notifications and disputes
  link_frozen: { status: 403, title: 'The link is frozen: the customer reported it as not theirs' },
  not_me_token_used: { status: 409, title: 'This "not me" link was already used' },
  not_me_token_expired: { status: 410, title: 'This "not me" link has expired' },
  not_me_token_invalid: { status: 400, title: 'This "not me" link is not valid' },
  // Staff console
  staff_login_failed: { status: 401, title: 'Wrong staff ID or password' },
  staff_csrf_token_invalid: { status: 403, title: 'The form has expired; reload it and try again' },
  staff_role_insufficient: { status: 403, title: 'Your staff role does not allow this action' },
  staff_reason_invalid: { status: 422, title: 'Say why, in 1 to 200 characters' },
  staff_note_invalid: { status: 422, title: 'A note is 1 to 2,000 characters' },
  staff_target_not_found: { status: 404, title: 'No such operator, alert, case or lock' },
  staff_target_not_open: { status: 409, title: 'Already done: the alert is closed, the case resolved or the lock lifted' },
  // Risk and step-up
  charge_denied: { status: 403, title: "The bank's risk checks declined this charge" },
  link_denied: { status: 403, title: "The bank's risk checks declined this link" },
  charge_not_settled: { status: 409, title: 'The charge is waiting for approval or review, or was never settled' },
  webhook_url_invalid: { status: 422, title: 'The webhook URL must be https to a host with public addresses only, without credentials' },
  // Retrospective scans
  scan_window_invalid: { status: 422, title: 'The scan window needs two dates (YYYY-MM-DD), from on or before to' },
  scan_window_too_long: { status: 422, title: 'A scan window is at most 10 years' },
  scan_operator_unknown: { status: 422, title: 'No such operator to scan' },
  scan_incident_unknown: { status: 422, title: 'No such incident to file the scan under' },
  scan_busy: { status: 409, title: 'A scan is already running; wait for it to finish' },
  scan_not_found: { status: 404, title: 'No such scan' },
  // Attack lab (furikae lab run): a scenario file that runs nothing
  lab_scenario_invalid: { status: 422, title: 'The lab scenario file is not valid' },
  // Availability
  service_unavailable: { status: 503, title: 'The bank cannot reach its database just now; retry after the time given' },
  // Anything else
  internal_error: { status: 500, title: 'Something went wrong on our side' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ErrorCode = keyof typeof errorCodes;
