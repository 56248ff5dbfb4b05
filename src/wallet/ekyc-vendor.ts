import type { KycLevel } from '../operators/operator.ts';
import type { ImageMediaType } from './image-type.ts';

/**
 * The face evidence sent with a document. A real vendor takes a selfie video and compares it with the document
 * photo; the simulator takes the comparison's result, chosen on the form, so the demo and the lab can play both.
 */
export type EkycFaceEvidence = { kind: 'simulated'; result: 'match' | 'no_match' };

/** One verification request: the document image, the face evidence, and who the applicant says they are. */
export interface EkycRequest {
  /** The wallet's own user id: the vendor's case reference points back to it. */
  applicant_id: string;
  document: { bytes: Uint8Array; media_type: ImageMediaType };
  face: EkycFaceEvidence;
  /** What the applicant declared, which the vendor checks against the document. */
  declared: { name_kana: string; birth_date: string };
}

/** Why a vendor refused: stable codes the wallet records. */
export type EkycRefusalCode = 'face_mismatch' | 'document_unreadable';

/** The vendor's answer: verified, with what it read from the document, or refused with a stable code. */
export type EkycResult =
  | {
      ok: true;
      /** The vendor's case id, for disputes. */
      reference: string;
      level: Extract<KycLevel, 'ekyc_document_face'>;
      /** How the identity was verified, e.g. 'ekyc_document_face:simulator': it goes into the KYC attestation. */
      method: string;
      verified_at: Date;
      /** As read from the document. */
      name_kana: string;
      birth_date: string;
    }
  | { ok: false; reference: string; code: EkycRefusalCode; detail: string };

/**
 * An eKYC vendor (the 犯収法 "ホ" method: a photo ID and a live face). The wallet asks; the vendor decides.
 * The shipped implementation is createEkycSimulator(); a real vendor's API client would be another.
 */
export interface EkycVendor {
  /** A short name recorded with every check. */
  readonly name: string;
  verify(request: EkycRequest): Promise<EkycResult>;
}
