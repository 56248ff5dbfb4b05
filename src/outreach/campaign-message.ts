import { FurikaeError } from '../errors/furikae-error.ts';
import { BANK_FRAUD_DESK_PHONE } from '../notify/bank-contact.ts';

/** Longest message staff add to the template, per language: a paragraph, as the 2020 notices had. */
export const CAMPAIGN_MESSAGE_CHARS_MAX = 1000;
/** Most passbook labels one notice asks customers to look for: the 2020 thefts went through a handful of services. */
export const CAMPAIGN_LABELS_MAX = 10;
/** Longest label: the operators table allows 20 characters. */
export const CAMPAIGN_LABEL_CHARS_MAX = 20;

/**
 * What a phishing mail carries and a bank notice never does: a web address (with or without a scheme, or a bare
 * domain), an e-mail address, or a phone number (any run of 10 or more digits, with or without dashes and spaces;
 * the bank's own number is allowed). Full-width characters are folded first, so ｈｔｔｐ or ０１２０ do not slip through.
 */
const FORBIDDEN: readonly { pattern: RegExp; what: string }[] = [
  { pattern: /[a-z][a-z0-9+.-]*:\/\//i, what: 'a link' },
  { pattern: /\bwww\./i, what: 'a web address' },
  { pattern: /\b[a-z0-9-]+(\.[a-z0-9-]+)*\.(com|net|org|jp|co|io|info|biz|me|app|xyz|top|link|click|site|online)\b/i, what: 'a web address' },
  { pattern: /[^\s@]+@[^\s@]+\.[^\s@]+/, what: 'an e-mail address' },
];
/** A Japanese or international phone number: 0 or + first, then 10 to 13 digits in up to three groups. Dates (2020-09-30) start otherwise. */
const PHONE_LIKE = /(?<![\d-])(?:\+\d{1,3}[\s-]?)?\d{1,4}[\s()-]?\d{1,4}[\s()-]?\d{3,4}(?![\d-])/g;
const PHONE_DIGITS_MIN = 10;

function isPhoneNumber(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, '');
  return (candidate.startsWith('+') || candidate.startsWith('0')) && digits.length >= PHONE_DIGITS_MIN;
}

/**
 * Folds what reads the same to the eye: full-width ASCII (ｗｗｗ．, ０１２０) to half-width, and every dash (the minus
 * sign, the katakana long-vowel mark people type in phone numbers) to '-'. Used only to look for addresses.
 */
function foldLookalikes(text: string): string {
  return text.normalize('NFKC').replace(/[\u2010-\u2015\u2212\u30fc\uff70]/g, '-');
}

/** Checks one language's message; throws campaign_message_invalid saying what is wrong. Returns it trimmed. */
export function checkCampaignMessage(text: string, language: 'ja' | 'en'): string {
  const trimmed = text.trim();
  if (trimmed.length > CAMPAIGN_MESSAGE_CHARS_MAX) {
    throw new FurikaeError('campaign_message_invalid', `The ${language} message is longer than ${CAMPAIGN_MESSAGE_CHARS_MAX} characters`);
  }
  const folded = foldLookalikes(trimmed);
  for (const { pattern, what } of FORBIDDEN) {
    if (pattern.test(folded)) throw new FurikaeError('campaign_message_invalid', `The ${language} message contains ${what}: notices carry no link or address`);
  }
  const desk = BANK_FRAUD_DESK_PHONE.replace(/\D/g, '');
  for (const match of folded.matchAll(PHONE_LIKE)) {
    if (isPhoneNumber(match[0]) && match[0].replace(/\D/g, '') !== desk) {
      throw new FurikaeError('campaign_message_invalid', `The ${language} message contains a phone number other than the bank's (${BANK_FRAUD_DESK_PHONE})`);
    }
  }
  return trimmed;
}

/** Checks the labels a notice asks customers to look for: 1 to 10, each 1 to 20 characters, no link; returns them trimmed and unique. */
export function checkPassbookLabels(labels: readonly string[]): string[] {
  const unique = [...new Set(labels.map((label) => label.trim()).filter((label) => label.length > 0))];
  if (unique.length === 0 || unique.length > CAMPAIGN_LABELS_MAX || unique.some((label) => label.length > CAMPAIGN_LABEL_CHARS_MAX)) {
    throw new FurikaeError('campaign_message_invalid', `Give 1 to ${CAMPAIGN_LABELS_MAX} passbook labels of at most ${CAMPAIGN_LABEL_CHARS_MAX} characters`);
  }
  for (const label of unique) checkCampaignMessage(label, 'ja');
  return unique;
}
