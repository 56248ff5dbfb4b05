/**
 * The eKYC step of the hardened sign-up: the user uploads a photo of an identity document, the vendor compares
 * it with their face, and the wallet records the outcome, passed or refused, with time, method and a hash of
 * the document. Only a passed check lets the user link a bank account, and its result is what the KYC
 * attestation tells the bank. In 2020 wallets skipped this, so anyone could open a wallet in a victim's name.
 */
import { createHash } from 'node:crypto';
import { assert } from '../shared/assert.ts';
import type { EkycFaceEvidence, EkycVendor } from './ekyc-vendor.ts';
import { isBirthDate, NAME_KANA_CHARS_MAX, NAME_KANA_TEXT, normalizeNameKana, textField } from './form-fields.ts';
import { sniffImageType } from './image-type.ts';
import type { WalletContext } from './wallet-context.ts';
import { findWalletIdentity, type EkycRecord } from './wallet-identity.ts';
import { walletFailure, type WalletOutcome } from './wallet-outcome.ts';
import type { WalletUser } from './wallet-users.ts';

/** Largest document image: a phone photo of a licence at full resolution fits; anything bigger is not a photo of a card. */
export const EKYC_DOCUMENT_BYTES_MAX = 4 * 1024 * 1024;

/** The eKYC form as posted: nothing here is trusted until verifyIdentity has checked it. */
export interface VerifyIdentityInput {
  /** The uploaded file's bytes, or null when none came. */
  document: Uint8Array | null;
  name_kana: unknown;
  birth_date: unknown;
  /** The simulator's face evidence as chosen on the form: 'match' or 'no_match'. */
  face_match: unknown;
}

/** Runs an eKYC check for a user whose phone is verified, and records it; a refusal is recorded too. */
export async function verifyIdentity(
  context: WalletContext,
  vendor: EkycVendor,
  user: WalletUser,
  input: VerifyIdentityInput,
): Promise<WalletOutcome<EkycRecord>> {
  const { db, clock, ids, log } = context;
  const identity = await findWalletIdentity(db, user.id);
  if (!identity.phone || !identity.phone_verified_at) {
    return walletFailure('wallet_phone_not_verified', '先に携帯電話番号を確認してください / Verify your phone number first');
  }
  const name_kana = normalizeNameKana(textField(input.name_kana) ?? '');
  if (name_kana.length > NAME_KANA_CHARS_MAX || !NAME_KANA_TEXT.test(name_kana)) {
    return walletFailure('validation_failed', '名前はカタカナで入力してください / Enter the name in katakana, as on the document', { field: 'name_kana' });
  }
  const birth_date = (textField(input.birth_date) ?? '').trim();
  if (!isBirthDate(birth_date, clock.now())) {
    return walletFailure('validation_failed', '生年月日が正しくありません / Enter the date of birth as YYYY-MM-DD', { field: 'birth_date' });
  }
  const face_match = textField(input.face_match);
  if (face_match !== 'match' && face_match !== 'no_match') {
    return walletFailure('validation_failed', '顔照合の結果を選んでください / Choose the face-match result', { field: 'face_match' });
  }
  const { document } = input;
  if (!document || document.length === 0) {
    return walletFailure('wallet_ekyc_document_invalid', '本人確認書類の画像を選んでください / Choose an image of your identity document', { field: 'document' });
  }
  if (document.length > EKYC_DOCUMENT_BYTES_MAX) {
    return walletFailure('wallet_ekyc_document_too_large', `画像は${EKYC_DOCUMENT_BYTES_MAX / 1024 / 1024}MBまでです / The image must be at most ${EKYC_DOCUMENT_BYTES_MAX / 1024 / 1024} MiB`, { field: 'document' });
  }
  const media_type = sniffImageType(document);
  if (media_type === null) {
    return walletFailure('wallet_ekyc_document_invalid', '画像ファイル（PNG・JPEG・WebP）を選んでください / The document must be a PNG, JPEG or WebP image', { field: 'document' });
  }

  const face: EkycFaceEvidence = { kind: 'simulated', result: face_match };
  const result = await vendor.verify({ applicant_id: user.id, document: { bytes: document, media_type }, face, declared: { name_kana, birth_date } });
  const id = ids.next();
  const checked_at = clock.now();
  const document_sha256 = createHash('sha256').update(document).digest('hex');
  const face_evidence = `${face.kind}:${face.result}`;
  if (!result.ok) {
    await db.query(
      `INSERT INTO wallet_ekyc_checks (id, user_id, vendor, vendor_reference, outcome, refusal_code, name_kana, birth_date, phone,
         document_media_type, document_bytes, document_sha256, face_evidence, checked_at)
       VALUES ($1, $2, $3, $4, 'refused', $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
      [id, user.id, vendor.name, result.reference, result.code, name_kana, birth_date, identity.phone, media_type, document.length, document_sha256, face_evidence, checked_at],
    );
    log.info({ wallet_user_id: user.id, ekyc_check_id: id, code: result.code }, 'eKYC refused');
    const detail = result.code === 'face_mismatch'
      ? '顔写真が書類と一致しませんでした / The face did not match the document photo'
      : '書類の画像を読み取れませんでした / The document image could not be read';
    return walletFailure('wallet_ekyc_refused', detail);
  }
  assert(result.level === 'ekyc_document_face', 'a passed check is at the document-and-face level');
  const [record] = await db.query<EkycRecord>(
    `INSERT INTO wallet_ekyc_checks (id, user_id, vendor, vendor_reference, outcome, level, method, name_kana, birth_date, phone,
       document_media_type, document_bytes, document_sha256, face_evidence, checked_at)
     VALUES ($1, $2, $3, $4, 'verified', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     RETURNING id, vendor, level, method, name_kana, birth_date, phone, checked_at`,
    [id, user.id, vendor.name, result.reference, result.level, result.method, result.name_kana, result.birth_date, identity.phone,
      media_type, document.length, document_sha256, face_evidence, result.verified_at],
  );
  assert(record, 'the eKYC check was recorded');
  log.info({ wallet_user_id: user.id, ekyc_check_id: id, method: result.method }, 'eKYC passed');
  return { ok: true, value: record };
}
