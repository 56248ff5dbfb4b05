import type { FastifyInstance } from 'fastify';
import type { SmsChannel } from '../../notify/sms-channel.ts';
import { renderHardenedSignUpPage } from '../pages/hardened-sign-up-page.ts';
import { signUpWithPhone } from '../sign-up-with-phone.ts';
import type { WalletContext } from '../wallet-context.ts';
import { failureStatus } from '../wallet-outcome.ts';
import { formSchema, type PageKit } from './page-kit.ts';

const TITLE = '新規登録 / Sign up';

/** GET and POST /signup (hardened): name, e-mail, password and mobile phone; then on to the code. */
export function registerHardenedSignUpRoutes(app: FastifyInstance, kit: PageKit, context: WalletContext, sms: SmsChannel): void {
  app.get('/signup', async (request, reply) => {
    if (await kit.signedIn(request, reply)) return kit.redirect(reply, '/');
    return kit.sendPage(reply, 200, renderHardenedSignUpPage(kit.frame(TITLE), { csrf_token: reply.formToken() }));
  });

  app.post('/signup', { schema: { body: formSchema(['csrf_token', 'name', 'email', 'phone', 'password']) }, attachValidation: true }, async (request, reply) => {
    const values = { name: kit.field(request, 'name'), email: kit.field(request, 'email'), phone: kit.field(request, 'phone') };
    const outcome = kit.schemaFailure(request) ?? (await signUpWithPhone(context, sms, { ...values, password: kit.field(request, 'password') }));
    if (!outcome.ok) {
      return kit.sendPage(reply, failureStatus(outcome), renderHardenedSignUpPage(kit.frame(TITLE), { csrf_token: reply.formToken(), ...values, failure: outcome }));
    }
    await kit.startSignedIn(request, reply, outcome.value);
    return kit.redirect(reply, '/verify-phone');
  });
}
