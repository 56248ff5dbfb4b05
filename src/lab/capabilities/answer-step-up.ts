/**
 * A customer answers the bank's text about a charge waiting for approval: one they made, they approve at the
 * bank's approval page (password, then a code bound to that amount and payee) after a few minutes; one they did
 * not make, most decline, the rest ignore, and it expires. Some honest customers give up half-way. On a link made
 * less than a day ago the page takes no code, and the customer's own charge expires.
 */
import { Type } from '@sinclair/typebox';
import { Distribution, sample } from '../distribution.ts';
import { customerCapability } from '../lab-capability.ts';
import { MINUTE_MS } from '../lab-time.ts';
import { approvalCodeForm, approveCharge, declineCharge, newLinkCodesRefused, openApproval } from '../bank-pages.ts';
import { usesAuthenticator } from '../lab-actor.ts';

const APPROVAL_LINK = /\/bank\/approvals\/([0-9a-f-]{36})/;

export const answerStepUp = customerCapability({
  id: 'answer-step-up',
  does: 'approves a challenged charge they made at the bank’s approval page, declines or ignores one they did not',
  params: Type.Object({
    delay_minutes: Type.Optional(Distribution),
    complete_share: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'Share of their own challenged charges the customer approves' })),
    decline_unknown_share: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'Share of charges they did not make that they decline (the rest expire)' })),
  }, { additionalProperties: false }),
  start() {},
  react({ actor, params, world, random }, happening) {
    if (happening.kind !== 'sms' || happening.sms.purpose !== 'charge_approval') return;
    const charge_id = APPROVAL_LINK.exec(happening.sms.text)?.[1];
    if (!charge_id) return;
    const mine = actor.charges.has(charge_id);
    if (!random.chance(mine ? params.complete_share ?? 0.95 : params.decline_unknown_share ?? 0.7)) {
      if (mine) world.record(actor, { what: 'step_up', charge_id, answer: 'abandoned' });
      return;
    }
    const when = new Date(world.now().getTime() + Math.max(0.5, sample(params.delay_minutes ?? { lognormal: { median: 2, p90: 6 } }, random)) * MINUTE_MS);
    world.at(actor, when, async () => {
      const browser = world.newBrowser(actor.ip);
      const page = await openApproval(browser, charge_id, { login_id: actor.person.login_id, password: actor.person.password });
      if (!page) {
        world.record(actor, { what: 'step_up', charge_id, answer: 'login_refused' });
        return;
      }
      if (!mine) {
        world.record(actor, { what: 'step_up', charge_id, answer: `declined:${await declineCharge(browser, charge_id, page)}` });
        return;
      }
      // A code cannot approve a charge on a link made less than a day ago; the lab's customers hold no passkey, so it expires.
      if (newLinkCodesRefused(page)) {
        world.record(actor, { what: 'step_up', charge_id, answer: 'new_link_cooling_off' });
        return;
      }
      const factor = usesAuthenticator(actor, world.now()) ? 'totp' as const : 'sms' as const;
      const form = await approvalCodeForm(browser, charge_id, page, factor);
      const code = factor === 'totp' ? await world.totpCode(actor) : world.phones.lastCode(actor.person.phone, { purpose_prefix: 'charge_' }) ?? '';
      const status = await approveCharge(browser, charge_id, form, factor, code);
      world.record(actor, { what: 'step_up', charge_id, answer: status === 'succeeded' ? 'approved' : `not_approved:${status}` });
    }, { exact: true });
  },
});
