/**
 * What the bank does, by itself, to an operator a reverse brute force came through (one PIN failing across many
 * accounts, as suspected in the 2020 Docomo account thefts). Blocking the sprayed PIN and the sources only slows a
 * sprayer who rotates PINs, devices and addresses: in 2020 the alert came at minute 0 and the links went on at
 * about 15 a day. Suspending the operator's new links ends it; its existing links and charges go on, and an admin
 * lifts the switch on /staff/operators once the operator has found the hole.
 */
import type { Database } from '../storage/database.ts';
import type { Logger } from '../shared/logger.ts';
import type { OperatorRegistry } from '../operators/operator-registry.ts';
import type { CredentialAlertQueue } from './credential-throttle.ts';

/** `suspend_new_links`: the bank's default. `alert_only`: staff are alerted and decide (the 2020 bank in the lab). */
export const CONTAINMENT_POLICIES = ['suspend_new_links', 'alert_only'] as const;
export type ContainmentPolicy = (typeof CONTAINMENT_POLICIES)[number];

/** An operator a sprayed secret failed through, with how many accounts it failed on there. */
export interface ContainmentTarget {
  operator_id: string;
  accounts: number;
}

/** Contains the operators a reverse brute force came through; the alert it answers is the credential alert's id. */
export type ContainOperators = (reverse_brute_force_alert_id: string, targets: readonly ContainmentTarget[]) => Promise<void>;

/**
 * Suspends new links of each target not yet suspended: the switch and its audit entry (no staff member: the bank
 * itself) commit together, then staff get a high alert naming the operator and what to do.
 */
export function createOperatorContainment({ db, operators, alertQueue, log }: {
  db: Database; operators: Pick<OperatorRegistry, 'get' | 'setSwitch'>; alertQueue: Pick<CredentialAlertQueue, 'raiseAlert'>; log: Logger;
}): ContainOperators {
  return async (alert_id, targets) => {
    for (const target of targets) {
      const operator = await operators.get(target.operator_id);
      if (!operator || operator.new_links_suspended) continue;
      const reason = `Automatic containment: one PIN failed across ${target.accounts} accounts through this operator (reverse brute force, credential alert ${alert_id})`;
      await operators.setSwitch(operator.id, 'new_links_suspended', true, { staff_id: null, reason });
      await db.transaction((tx) => alertQueue.raiseAlert(tx, [{
        kind: 'credential_operator_contained', severity: 'high', operator_id: operator.id,
        reason_codes: ['reverse_brute_force', 'operator_new_links_suspended'],
        summary: `New links to ${operator.display_name} suspended automatically: one PIN failed across ${target.accounts} of its accounts`,
        details: { credential_alert_id: alert_id, accounts_count: target.accounts, switch: 'new_links_suspended',
          release: 'an admin lifts the switch on /staff/operators', see: '/staff/security' },
      }]));
      log.warn({ operator_id: operator.id, alert_id, accounts: target.accounts }, 'operator new links suspended after reverse brute force');
    }
  };
}
