import type { ErrorCode } from './error-codes.ts';

/**
 * Every code of the registry an operator (a payment app's server) can receive from the bank's operator API:
 * the request-shape codes any route answers, and the codes of links, charges, refunds, webhooks and throttling.
 * An operator must be able to tell its user what each one means: the reference wallet keeps a message for each
 * (src/wallet/bank-code-messages.ts), and /docs lists them on the operations that answer them.
 */
export const OPERATOR_ERROR_CODES = [
  // Any route: the request's shape, size and timing, the bank's own state
  'validation_failed', 'body_too_large', 'unsupported_media_type', 'route_not_found', 'method_not_allowed', 'request_malformed',
  'request_timeout', 'uri_too_long', 'headers_too_large', 'too_many_requests', 'service_unavailable', 'internal_error',
  // Authentication and policy
  'operator_unauthenticated', 'link_method_not_allowed', 'new_links_suspended', 'charges_suspended', 'operator_source_not_registered',
  // Links and their credentials
  'link_credentials_mismatch', 'link_token_invalid', 'link_not_found', 'link_revoked', 'link_mismatch', 'link_frozen', 'link_denied',
  'consent_expired', 'link_not_renewable', 'access_token_invalid', 'dpop_proof_invalid', 'dpop_proof_replayed', 'credential_attempts_locked', 'too_many_attempts',
  'kyc_attestation_invalid', 'kyc_attestation_expired', 'kyc_attestation_replayed', 'kyc_level_too_low', 'identity_mismatch',
  // Charges and refunds
  'idempotency_key_required', 'idempotency_key_reused', 'end_user_address_invalid', 'charge_yen_max_exceeded', 'charges_yen_per_month_max_exceeded', 'insufficient_funds',
  'charge_denied', 'charge_not_found', 'charge_not_settled', 'refund_exceeds_charge', 'operator_funds_insufficient',
  // Webhooks
  'webhook_url_invalid',
] as const satisfies readonly ErrorCode[];

/** A code the bank's operator API can answer with. */
export type OperatorErrorCode = (typeof OPERATOR_ERROR_CODES)[number];

/**
 * The registry's other codes, each with the audience that sees it instead, so that a new code in the registry must be
 * placed on one side or the other (a test checks every code is in exactly one list).
 */
export const NON_OPERATOR_ERROR_CODES = {
  // The bank's customer pages: second factors and the "not me" links
  second_factor_failed: 'customer', second_factor_locked: 'customer', totp_already_enrolled: 'customer', totp_enrolment_not_started: 'customer',
  passkey_challenge_invalid: 'customer', passkey_challenge_expired: 'customer', passkey_credential_unknown: 'customer', passkey_verification_failed: 'customer',
  passkey_counter_regressed: 'customer', passkey_not_found: 'customer', passkey_last_factor: 'customer', passkeys_limit_reached: 'customer', passkey_already_registered: 'customer',
  second_factor_not_allowed: 'customer', new_link_cooling_off: 'customer', sim_swap_detected: 'customer', sim_swap_check_unavailable: 'customer',
  not_me_token_expired: 'customer', not_me_token_invalid: 'customer',
  // The reference wallet's own codes, to its users
  wallet_unauthenticated: 'wallet', wallet_email_taken: 'wallet', wallet_user_not_found: 'wallet', wallet_balance_insufficient: 'wallet',
  wallet_no_bank_link: 'wallet', bank_refused: 'wallet', wallet_credentials_invalid: 'wallet', wallet_csrf_token_invalid: 'wallet',
  wallet_merchant_not_found: 'wallet', wallet_send_to_self: 'wallet', wallet_bank_link_exists: 'wallet', wallet_bank_unreachable: 'wallet',
  wallet_phone_code_invalid: 'wallet', wallet_phone_codes_too_many: 'wallet', wallet_phone_taken: 'wallet', wallet_phone_not_verified: 'wallet',
  wallet_ekyc_document_invalid: 'wallet', wallet_ekyc_document_too_large: 'wallet', wallet_ekyc_refused: 'wallet', wallet_ekyc_required: 'wallet',
  wallet_link_state_invalid: 'wallet', wallet_link_declined: 'wallet', wallet_bank_authorization_failed: 'wallet',
  // The staff console and the command line
  staff_login_failed: 'staff', staff_csrf_token_invalid: 'staff', staff_role_insufficient: 'staff', staff_reason_invalid: 'staff', staff_phone_number_invalid: 'staff', staff_phone_number_unchanged: 'staff',
  staff_note_invalid: 'staff', staff_target_not_found: 'staff', staff_target_not_open: 'staff',
  scan_window_invalid: 'staff', scan_window_too_long: 'staff', scan_operator_unknown: 'staff', scan_incident_unknown: 'staff', scan_busy: 'staff',
  incident_not_found: 'staff', incident_period_invalid: 'staff', operator_not_found: 'staff', incident_status_invalid: 'staff',
  incident_has_open_items: 'staff', incident_closed: 'staff', case_not_found: 'staff', compensation_case_not_confirmed: 'staff',
  compensation_charge_not_in_source: 'staff', compensation_exceeds_charge: 'staff', compensation_charge_already_compensated: 'staff',
  compensation_charges_mixed: 'staff', compensation_not_found: 'staff', compensation_not_proposed: 'staff', compensation_self_approval: 'staff',
  compensation_share_invalid: 'staff', campaign_segment_empty: 'staff', campaign_message_invalid: 'staff', campaign_not_found: 'staff',
  campaign_status_invalid: 'staff', scan_not_found: 'staff', lab_scenario_invalid: 'staff',
} as const satisfies Partial<Record<ErrorCode, 'customer' | 'wallet' | 'staff'>>;
