import { randomUUID } from 'node:crypto';
import type { Clock } from '../shared/clock.ts';
import type { EkycVendor } from './ekyc-vendor.ts';
import { sniffImageType } from './image-type.ts';

/** The method the simulator reports, and so the one every attestation it backs names: never mistaken for a real check. */
export const EKYC_SIMULATOR_METHOD = 'ekyc_document_face:simulator';

/**
 * An eKYC vendor SIMULATOR for the demo and the lab: it checks that the document is an image and takes the
 * face-match result the form chose. It reads nothing from the image, so the identity it "verifies" is the one
 * declared. Never wire it where a real identity check is needed.
 */
export function createEkycSimulator({ clock }: { clock: Clock }): EkycVendor {
  return {
    name: 'simulator',
    async verify(request) {
      const reference = `sim_${randomUUID()}`;
      if (sniffImageType(request.document.bytes) !== request.document.media_type) {
        return { ok: false, reference, code: 'document_unreadable', detail: 'The document is not the image it claims to be' };
      }
      if (request.face.result !== 'match') {
        return { ok: false, reference, code: 'face_mismatch', detail: 'The face does not match the document photo' };
      }
      return {
        ok: true,
        reference,
        level: 'ekyc_document_face',
        method: EKYC_SIMULATOR_METHOD,
        verified_at: clock.now(),
        name_kana: request.declared.name_kana,
        birth_date: request.declared.birth_date,
      };
    },
  };
}
