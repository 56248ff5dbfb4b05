import type { FastifyInstance } from 'fastify';
import { logIn } from '../log-in.ts';
import { renderLoginPage } from '../pages/login-page.ts';
import { failureStatus } from '../wallet-outcome.ts';
import { formSchema, type PageKit } from './page-kit.ts';
import type { WalletContext } from '../wallet-context.ts';

const TITLE = 'ログイン / Log in';

/** GET and POST /login, POST /logout. */
export function registerLoginRoutes(app: FastifyInstance, kit: PageKit, context: WalletContext): void {
  app.get('/login', { schema: { querystring: { type: 'object', properties: { done: { type: 'string', maxLength: 32 } } } } }, async (request, reply) => {
    if (await kit.signedIn(request, reply)) return kit.redirect(reply, '/');
    const { done } = request.query as { done?: string };
    const notice = done === 'logged_out' ? 'ログアウトしました / You have logged out' : undefined;
    return kit.sendPage(reply, 200, renderLoginPage(kit.frame(TITLE), { csrf_token: reply.formToken(), notice }));
  });

  app.post('/login', { schema: { body: formSchema(['csrf_token', 'email', 'password']) }, attachValidation: true }, async (request, reply) => {
    const email = kit.field(request, 'email');
    const outcome = kit.schemaFailure(request) ?? (await logIn(context, { email, password: kit.field(request, 'password') }));
    if (!outcome.ok) {
      request.log.info({ code: outcome.code }, 'wallet login refused');
      return kit.sendPage(reply, failureStatus(outcome), renderLoginPage(kit.frame(TITLE), { csrf_token: reply.formToken(), email, failure: outcome }));
    }
    await kit.startSignedIn(request, reply, outcome.value);
    return kit.redirect(reply, '/');
  });

  app.post('/logout', { schema: { body: formSchema(['csrf_token']) }, attachValidation: true }, async (request, reply) => {
    // The form token was checked first: a cross-site post must not end someone's session.
    await kit.endSession(request, reply);
    return kit.redirect(reply, '/login?done=logged_out');
  });
}
