import { assert } from '../shared/assert.ts';
import { normalizeKanaName } from '../linking/kana-name.ts';
import { normalizePhoneNumber } from './phone-number.ts';

/** The identity fields an attestation carries and a bank customer record holds. */
export interface IdentityFields {
  name_kana: string;
  /** YYYY-MM-DD. */
  birth_date: string;
  phone: string;
}

/** A date of birth as both sides carry it; anything else never matches. */
const BIRTH_DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

export type IdentityMatchReason =
  | 'name_exact'
  | 'name_normalised'
  | 'name_mismatch'
  | 'birth_date_match'
  | 'birth_date_mismatch'
  | 'phone_match'
  | 'phone_mismatch';

export type IdentityVerdict = 'strong' | 'weak' | 'mismatch';

/** How well the wallet's verified identity matches the account holder; stored with the link. */
export interface IdentityMatch {
  /** Integer 0–100: the sum of the points below for the fields that agree. */
  score: number;
  verdict: IdentityVerdict;
  /** One reason per field, in the order name, date of birth, phone. */
  reasons: IdentityMatchReason[];
}

// The weights are chosen so that the name and the date of birth are each necessary: without either,
// the other two fields together (45 + 20 or 35 + 20) stay below IDENTITY_MATCH_SCORE_MIN. The 2020
// thieves held both from leaks, so neither is sufficient either: the link still needs the customer's
// own second factor at the bank.

/** Points when the kana name agrees after normalisation; identical and normalised earn the same, since bank records are half-width by rule. */
export const IDENTITY_MATCH_NAME_POINTS = 45;
/** Points when the date of birth agrees exactly. */
export const IDENTITY_MATCH_BIRTH_DATE_POINTS = 35;
/** Points when the phone agrees after normalisation; the least weight, because people change numbers and bank records lag. */
export const IDENTITY_MATCH_PHONE_POINTS = 20;
export const IDENTITY_MATCH_SCORE_MAX = IDENTITY_MATCH_NAME_POINTS + IDENTITY_MATCH_BIRTH_DATE_POINTS + IDENTITY_MATCH_PHONE_POINTS;

/**
 * The lowest score that allows a link: name and date of birth both agree. A changed phone alone
 * therefore gives 'weak' rather than a refusal; the verdict is stored with the link so risk rules
 * can be stricter with it, and the customer still approves at the bank with their own factor.
 */
export const IDENTITY_MATCH_SCORE_MIN = IDENTITY_MATCH_NAME_POINTS + IDENTITY_MATCH_BIRTH_DATE_POINTS;
/** The lowest 'strong' score: every field the operator verified agrees with the bank's record. */
export const IDENTITY_MATCH_STRONG_SCORE_MIN = IDENTITY_MATCH_SCORE_MAX;

/** Verdict bands over the score, half-open [score_lower, score_upper), covering 0–100 without gaps. */
export const IDENTITY_MATCH_BANDS: ReadonlyArray<{ verdict: IdentityVerdict; score_lower: number; score_upper: number }> = [
  { verdict: 'mismatch', score_lower: 0, score_upper: IDENTITY_MATCH_SCORE_MIN },
  { verdict: 'weak', score_lower: IDENTITY_MATCH_SCORE_MIN, score_upper: IDENTITY_MATCH_STRONG_SCORE_MIN },
  { verdict: 'strong', score_lower: IDENTITY_MATCH_STRONG_SCORE_MIN, score_upper: IDENTITY_MATCH_SCORE_MAX + 1 },
];

/** The verdict for a score, from IDENTITY_MATCH_BANDS. */
export function identityVerdictForScore(score: number): IdentityVerdict {
  assert(Number.isInteger(score) && score >= 0 && score <= IDENTITY_MATCH_SCORE_MAX, `identity match score ${score} is not an integer in 0–100`);
  const band = IDENTITY_MATCH_BANDS.find(({ score_lower, score_upper }) => score >= score_lower && score < score_upper);
  assert(band, `no identity match band holds score ${score}`);
  return band.verdict;
}

/** Compares the identity an operator attested with the bank's customer record: a score, a verdict and reason codes. */
export function matchIdentity(attested: IdentityFields, record: IdentityFields): IdentityMatch {
  const reasons: IdentityMatchReason[] = [];
  let score = 0;

  const recordName = normalizeKanaName(record.name_kana);
  // Two names that normalise to "" (blank, or only dashes) would compare equal and prove nothing.
  const nameMatches = recordName !== '' && normalizeKanaName(attested.name_kana) === recordName;
  if (nameMatches) {
    score += IDENTITY_MATCH_NAME_POINTS;
    reasons.push(attested.name_kana === record.name_kana ? 'name_exact' : 'name_normalised');
  } else {
    reasons.push('name_mismatch');
  }

  const birthDateMatches = BIRTH_DATE_PATTERN.test(record.birth_date) && attested.birth_date === record.birth_date;
  if (birthDateMatches) {
    score += IDENTITY_MATCH_BIRTH_DATE_POINTS;
    reasons.push('birth_date_match');
  } else {
    reasons.push('birth_date_mismatch');
  }

  const attestedPhone = normalizePhoneNumber(attested.phone);
  if (attestedPhone !== null && attestedPhone === normalizePhoneNumber(record.phone)) {
    score += IDENTITY_MATCH_PHONE_POINTS;
    reasons.push('phone_match');
  } else {
    reasons.push('phone_mismatch');
  }

  const verdict = identityVerdictForScore(score);
  assert(
    verdict === 'mismatch' || (nameMatches && birthDateMatches),
    'the identity match weights let a name or date-of-birth mismatch pass',
  );
  return { score, verdict, reasons };
}
