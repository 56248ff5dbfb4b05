import type { FastifyInstance } from 'fastify';
import { maskPhone, type SmsChannel } from '../../notify/sms-channel.ts';
import { renderVerifyPhonePage } from '../pages/verify-phone-page.ts';
import { sendPhoneCode, verifyPhoneCode } from '../phone-verification.ts';
import type { WalletContext } from '../wallet-context.ts';
import { findWalletIdentity, type WalletIdentity } from '../wallet-identity.ts';
import { failureStatus, type WalletFailure } from '../wallet-outcome.ts';
import { formSchema, type PageKit, type SignedIn } from './page-kit.ts';

const TITLE = '電話番号の確認 / Verify your phone';

/** GET and POST /verify-phone, POST /verify-phone/resend. `simulator_href` points the demo at the SMS simulator's inbox. */
export function registerPhoneRoutes(app: FastifyInstance, kit: PageKit, context: WalletContext, sms: SmsChannel, simulator_href?: string): void {
  /** The page; `identity` when the caller has already read it, so one request reads it once. */
  async function page(signed_in: SignedIn, message: { failure?: WalletFailure; notice?: string } = {}, identity?: WalletIdentity) {
    identity ??= await findWalletIdentity(context.db, signed_in.user.id);
    return renderVerifyPhonePage(kit.frame(TITLE, signed_in), {
      csrf_token: signed_in.form_token, phone_masked: maskPhone(identity.phone ?? ''), simulator_href, ...message,
    });
  }

  app.get('/verify-phone', async (request, reply) => {
    const signed_in = await kit.requireUserOrRedirect(request, reply);
    if (!signed_in) return reply;
    const identity = await findWalletIdentity(context.db, signed_in.user.id);
    if (identity.phone_verified_at) return kit.redirect(reply, '/ekyc');
    return kit.sendPage(reply, 200, await page(signed_in, {}, identity));
  });

  app.post('/verify-phone', { schema: { body: formSchema(['csrf_token', 'code']) }, attachValidation: true }, async (request, reply) => {
    const signed_in = await kit.requireUserForm(request, reply);
    if (!signed_in) return reply;
    const outcome = kit.schemaFailure(request) ?? (await verifyPhoneCode(context, signed_in.user, kit.body(request).code));
    if (outcome.ok) return kit.redirect(reply, '/ekyc?done=phone_verified');
    return kit.sendPage(reply, failureStatus(outcome), await page(signed_in, { failure: outcome }));
  });

  app.post('/verify-phone/resend', { schema: { body: formSchema(['csrf_token']) }, attachValidation: true }, async (request, reply) => {
    const signed_in = await kit.requireUserForm(request, reply);
    if (!signed_in) return reply;
    const outcome = kit.schemaFailure(request) ?? (await sendPhoneCode(context, sms, signed_in.user));
    if (!outcome.ok) return kit.sendPage(reply, failureStatus(outcome), await page(signed_in, { failure: outcome }));
    return kit.sendPage(reply, 200, await page(signed_in, { notice: '新しいコードを送りました / A new code is on its way' }));
  });
}
