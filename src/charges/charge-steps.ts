import type { ChargeStep } from './charge.ts';
import { authenticate } from './steps/authenticate.ts';
import { idempotency } from './steps/idempotency.ts';
import { policy } from './steps/policy.ts';
import { limits } from './steps/limits.ts';
import { risk } from './steps/risk.ts';
import { ledger } from './steps/ledger.ts';
import { record } from './steps/record.ts';
import { history } from './steps/history.ts';
import { passbook } from './steps/passbook.ts';
import { outbox } from './steps/outbox.ts';

/**
 * The charge path, in order (DESIGN.md, "A charge, end to end"). Every step runs inside the batch's one
 * database transaction, so a refusal anywhere leaves nothing behind and the reply follows the commit.
 */
export const chargeSteps: readonly ChargeStep[] = [
  authenticate, // the credential names an active link; locks the link, share-locks the operator
  idempotency, // a reused key answers with the first charge, or refuses a different body
  policy, // the operator's charges_suspended switch
  limits, // per-charge and monthly caps
  risk, // features → rules → typologies: allow, challenge, hold or deny, recorded for every charge
  ledger, // customer → operator settlement, no overdraft; pending (reserved) when challenged or held
  record, // charge rows and monthly totals
  history, // the customer's charge history the risk features read
  passbook, // the operator's label on the customer's passbook line
  outbox, // the customer's charge notice, committed with the money
];
