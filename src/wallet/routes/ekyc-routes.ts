import type { FastifyInstance } from 'fastify';
import type { EkycVendor } from '../ekyc-vendor.ts';
import { renderEkycPage } from '../pages/ekyc-page.ts';
import { EKYC_DOCUMENT_BYTES_MAX, verifyIdentity } from '../verify-identity.ts';
import type { WalletContext } from '../wallet-context.ts';
import { findWalletIdentity } from '../wallet-identity.ts';
import { failureStatus } from '../wallet-outcome.ts';
import { noticeFor } from './home-routes.ts';
import { acceptMultipartForms } from './multipart-form.ts';
import type { PageKit } from './page-kit.ts';

const TITLE = '本人確認 (eKYC) / Verify your identity';
/**
 * The eKYC form's whole body: the largest document plus room for the text fields and multipart framing. A document
 * a little over the cap still arrives, so the page can say why; far over it, a problem+json 413 answers.
 */
export const EKYC_FORM_BYTES_MAX = EKYC_DOCUMENT_BYTES_MAX + 256 * 1024;

/** GET and POST /ekyc (multipart, with the document image). */
export async function registerEkycRoutes(app: FastifyInstance, kit: PageKit, context: WalletContext, vendor: EkycVendor): Promise<void> {
  app.get('/ekyc', { schema: { querystring: { type: 'object', properties: { done: { type: 'string', maxLength: 32 } } } } }, async (request, reply) => {
    const signed_in = await kit.requireUserOrRedirect(request, reply);
    if (!signed_in) return reply;
    const identity = await findWalletIdentity(context.db, signed_in.user.id);
    if (!identity.phone_verified_at) return kit.redirect(reply, '/verify-phone');
    if (identity.ekyc) return kit.redirect(reply, '/link');
    const notice = noticeFor((request.query as { done?: string }).done, ['phone_verified']);
    return kit.sendPage(reply, 200, renderEkycPage(kit.frame(TITLE, signed_in), { csrf_token: signed_in.form_token, notice }));
  });

  await app.register(async (scope) => {
    acceptMultipartForms(scope, EKYC_FORM_BYTES_MAX);
    scope.post('/ekyc', { bodyLimit: EKYC_FORM_BYTES_MAX }, async (request, reply) => {
      const signed_in = await kit.requireUserForm(request, reply);
      if (!signed_in) return reply;
      const body = kit.body(request);
      const document = body.document instanceof Uint8Array ? body.document : null;
      const values = { name_kana: kit.field(request, 'name_kana'), birth_date: kit.field(request, 'birth_date') };
      const outcome = await verifyIdentity(context, vendor, signed_in.user, { document, ...values, face_match: body.face_match });
      if (outcome.ok) return kit.redirect(reply, '/link?done=ekyc_verified');
      const page = renderEkycPage(kit.frame(TITLE, signed_in), { csrf_token: signed_in.form_token, values, failure: outcome });
      return kit.sendPage(reply, failureStatus(outcome), page);
    });
  });
}
