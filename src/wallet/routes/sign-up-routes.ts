import type { FastifyInstance } from 'fastify';
import { renderSignUpPage } from '../pages/sign-up-page.ts';
import { signUp } from '../sign-up.ts';
import { failureStatus } from '../wallet-outcome.ts';
import { formSchema, type PageKit } from './page-kit.ts';
import type { WalletContext } from '../wallet-context.ts';

const TITLE = '新規登録 / Sign up';

/** GET and POST /signup: open a wallet with name, e-mail and password, then arrive signed in. */
export function registerSignUpRoutes(app: FastifyInstance, kit: PageKit, context: WalletContext): void {
  app.get('/signup', async (request, reply) => {
    if (await kit.signedIn(request, reply)) return kit.redirect(reply, '/');
    return kit.sendPage(reply, 200, renderSignUpPage(kit.frame(TITLE), { csrf_token: reply.formToken() }));
  });

  app.post('/signup', { schema: { body: formSchema(['csrf_token', 'name', 'email', 'password']) }, attachValidation: true }, async (request, reply) => {
    const name = kit.field(request, 'name');
    const email = kit.field(request, 'email');
    const outcome = kit.schemaFailure(request) ?? (await signUp(context, { name, email, password: kit.field(request, 'password') }));
    if (!outcome.ok) {
      return kit.sendPage(reply, failureStatus(outcome), renderSignUpPage(kit.frame(TITLE), { csrf_token: reply.formToken(), name, email, failure: outcome }));
    }
    await kit.startSignedIn(request, reply, outcome.value);
    return kit.redirect(reply, '/?done=signed_up');
  });
}
