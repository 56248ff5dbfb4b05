import type { FastifyInstance } from 'fastify';
import { linkBankAccount } from '../link-bank-account.ts';
import { renderLinkPage } from '../pages/link-page.ts';
import { revokeBankLink } from '../revoke-bank-link.ts';
import { findActiveBankLink } from '../wallet-bank-links.ts';
import { findShownBankLink } from '../bank-link-state.ts';
import type { WalletContext } from '../wallet-context.ts';
import { failureStatus } from '../wallet-outcome.ts';
import { formSchema, type PageKit } from './page-kit.ts';

const TITLE = '銀行口座の連携 / Link a bank account';

/** GET and POST /link (the 2020 legacy link), POST /link/revoke. */
export function registerLinkRoutes(app: FastifyInstance, kit: PageKit, context: WalletContext): void {
  app.get('/link', async (request, reply) => {
    const signed_in = await kit.requireUserOrRedirect(request, reply);
    if (!signed_in) return reply;
    const shown = await findShownBankLink(context, signed_in.user.id);
    return kit.sendPage(reply, 200, renderLinkPage(kit.frame(TITLE, signed_in), { csrf_token: signed_in.form_token, ...shown }));
  });

  app.post(
    '/link',
    { schema: { body: formSchema(['csrf_token', 'branch_code', 'account_number', 'pin', 'name_kana', 'birth_date']) }, attachValidation: true },
    async (request, reply) => {
      const signed_in = await kit.requireUserForm(request, reply);
      if (!signed_in) return reply;
      const values = {
        branch_code: kit.field(request, 'branch_code'),
        account_number: kit.field(request, 'account_number'),
        name_kana: kit.field(request, 'name_kana'),
        birth_date: kit.field(request, 'birth_date'),
      };
      const outcome = kit.schemaFailure(request) ?? (await linkBankAccount(context, signed_in.user, { ...values, pin: kit.field(request, 'pin') }, kit.endUser(request)));
      if (outcome.ok) return kit.redirect(reply, '/?done=linked');
      const link = await findActiveBankLink(context.db, signed_in.user.id);
      const page = renderLinkPage(kit.frame(TITLE, signed_in), { csrf_token: signed_in.form_token, link, values, failure: outcome });
      return kit.sendPage(reply, failureStatus(outcome), page);
    },
  );

  app.post('/link/revoke', { schema: { body: formSchema(['csrf_token']) }, attachValidation: true }, async (request, reply) => {
    const signed_in = await kit.requireUserForm(request, reply);
    if (!signed_in) return reply;
    const outcome = await revokeBankLink(context, signed_in.user);
    if (outcome.ok) return kit.redirect(reply, '/?done=unlinked');
    const link = await findActiveBankLink(context.db, signed_in.user.id);
    return kit.sendPage(reply, failureStatus(outcome), renderLinkPage(kit.frame(TITLE, signed_in), { csrf_token: signed_in.form_token, link, failure: outcome }));
  });
}
