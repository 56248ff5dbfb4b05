/** The bank's fraud desk, printed in every notice and on the "not me" pages (a fictional free-dial number). */
export const BANK_FRAUD_DESK_PHONE = '0120-000-000';

/** The bank's name as notices sign it. */
export const BANK_NAME = { ja: 'ふりかえ銀行', en: 'Furikae Bank' } as const;
