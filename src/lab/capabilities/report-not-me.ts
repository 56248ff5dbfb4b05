/**
 * A customer who reads the bank's e-mail and finds a link or a charge they did not make presses its "this wasn't
 * me" link, after a delay the scenario sets: most 2020 victims noticed weeks later, from their passbooks (seeds 000,
 * 003: "check your deposit and withdrawal records"). They open the newest such notice; its link works for 30 days.
 * Notices about their own links and charges they recognise and leave alone.
 */
import { Type } from '@sinclair/typebox';
import { Distribution, sample } from '../distribution.ts';
import { customerCapability } from '../lab-capability.ts';
import { DAY_MS } from '../lab-time.ts';
import { pressNotMe } from '../bank-pages.ts';

const NOT_ME_LINK = /https?:\/\/[^\s/]+(\/notices\/not-me\?token=[^\s]+)/;
const SERVICE = /^ {2}Service: (.+)$/m;
const AMOUNT = /^ {2}Amount: ¥([\d,]+)$/m;

export const reportNotMe = customerCapability({
  id: 'report-not-me',
  does: 'presses "this wasn\'t me" in the newest notice about a link or charge they did not make, after a delay',
  params: Type.Object({
    read_share: Type.Number({ minimum: 0, maximum: 1, description: 'Share of these customers who read the bank’s notices at all' }),
    delay_days: Distribution,
  }, { additionalProperties: false }),
  start({ params, random, memory }) {
    memory.set('reads', random.chance(params.read_share));
  },
  react({ actor, params, world, random, memory }, happening) {
    if (happening.kind !== 'email' || !memory.get('reads')) return;
    const { mail } = happening;
    if (mail.purpose !== 'link_created' && mail.purpose !== 'charge_succeeded') return;
    const url = NOT_ME_LINK.exec(mail.text)?.[1];
    const service = SERVICE.exec(mail.text)?.[1];
    if (!url || !service) return;
    const operator_key = [...actor.links.keys()].find((key) => world.operator(key).operator.display_name === service);
    if (operator_key !== undefined) {
      // A service the customer uses: a link notice is theirs; a charge is theirs if they made one of that amount.
      if (mail.purpose === 'link_created') return;
      const amount_yen = Number((AMOUNT.exec(mail.text)?.[1] ?? '').replaceAll(',', ''));
      if ([...actor.charges.values()].some((charge) => charge.operator_key === operator_key && charge.amount_yen === amount_yen)) return;
    }
    // The newest unknown notice per service is the one the customer will open when they notice.
    const newest = (memory.get('newest') as Map<string, string> | undefined) ?? new Map<string, string>();
    newest.set(service, url);
    memory.set('newest', newest);
    const noticed = (memory.get('noticed') as Set<string> | undefined) ?? new Set<string>();
    if (noticed.has(service)) return;
    noticed.add(service);
    memory.set('noticed', noticed);
    const when = new Date(world.now().getTime() + Math.max(0, sample(params.delay_days, random)) * DAY_MS);
    world.at(actor, when, async () => {
      const outcome = await pressNotMe(world.newBrowser(actor.ip), new URL(newest.get(service)!, world.bank_origin));
      world.record(actor, { what: 'not_me', outcome });
      // A later link or charge by the same service, after this report, is noticed afresh.
      noticed.delete(service);
    });
  },
});
