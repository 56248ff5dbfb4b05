/**
 * A thief whose charge the bank holds for the account holder's approval approves it as the holder: the approval
 * page's login with the victim's password, then the code bound to that amount and payee, read from the swapped SIM
 * or relayed by the victim from a fake page (src/lab/victim-codes.ts). The bank's answers to this are the defences
 * measured: SMS refused beside a stronger factor or after a SIM swap, a code text naming payee and amount.
 */
import { Type } from '@sinclair/typebox';
import { Distribution, sample } from '../distribution.ts';
import { attackerCapability } from '../lab-capability.ts';
import { MINUTE_MS } from '../lab-time.ts';
import { approvalCodeForm, approvalShown, approveCharge, newLinkCodesRefused, openApproval } from '../bank-pages.ts';
import { codeFromVictim, factorTypedFor, VICTIM_HEEDS_SHARE_DEFAULT } from '../victim-codes.ts';

export const approveAsVictim = attackerCapability({
  id: 'approve-as-victim',
  does: 'approves a charge the bank holds for approval as the account holder: their password, and their code by SIM swap or relay',
  needs: ['password'],
  params: Type.Object({
    delay_minutes: Type.Optional(Distribution),
    victim_heeds_share: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'Holding a relay: share of victims who stop when the code text names the payee and amount and warns (default 0.3)' })),
    relay_session_minutes: Type.Optional(Type.Number({ minimum: 1, maximum: 43200, description: 'Holding a relay: minutes the victim stays on the fake page from the first code they typed (default 30); later codes are not relayed' })),
  }, { additionalProperties: false }),
  start() {},
  react({ actor, params, world, random }, happening) {
    if (happening.kind !== 'charge_waiting') return;
    const { victim, charge_id, link } = happening;
    const holds = actor.targets.find((target) => target.customer === victim)?.holds;
    if (!holds?.has('password')) return;
    const record = (answer: string) => world.record(actor, { what: 'step_up', charge_id, answer });
    const when = new Date(world.now().getTime() + Math.max(0.2, sample(params.delay_minutes ?? { uniform: [0.5, 3] }, random)) * MINUTE_MS);
    world.at(actor, when, async () => {
      const browser = world.newBrowser(actor.ip);
      const page = await openApproval(browser, charge_id, { login_id: victim.person.login_id, password: victim.person.password });
      if (!page) return record('login_refused');
      // The page takes no code on a link made less than a day ago; the thief's later charges come back to it.
      if (newLinkCodesRefused(page)) return record('new_link_cooling_off');
      // The victim may have declined it first (or it ran out): there is nothing left to approve.
      const waiting = approvalShown(page).status;
      if (waiting !== 'pending_approval') return record(`not_waiting:${waiting}`);
      const factor = factorTypedFor(victim, holds, world.now());
      const sent_since = world.now();
      const form = await approvalCodeForm(browser, charge_id, page, factor);
      const got = await codeFromVictim(world, random, victim, holds, {
        factor, purpose_prefix: 'charge_', sent_since, requested_page: form, names: [world.operator(link.operator_key).operator.display_name],
        heeds_share: params.victim_heeds_share ?? VICTIM_HEEDS_SHARE_DEFAULT,
        ...(params.relay_session_minutes === undefined ? {} : { relay_session_minutes: params.relay_session_minutes }),
      });
      if (!got.ok) return record(got.why);
      const status = await approveCharge(browser, charge_id, form, factor, got.code);
      record(status === 'succeeded' ? 'approved' : `not_approved:${status}`);
    }, { exact: true });
  },
});
