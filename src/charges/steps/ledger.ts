import { FurikaeError } from '../../errors/furikae-error.ts';
import { assert } from '../../shared/assert.ts';
import { TransferCode } from '../../bank/chart-of-accounts.ts';
import { pendingTimeoutSeconds } from '../../stepup/pending-charge-timeouts.ts';
import { openItems, type ChargeStep } from '../charge.ts';

/**
 * ledger: debit the customer's account and credit the operator's settlement account, all open items in one
 * set-based call. The customer account forbids overdraft, so the ledger itself refuses a charge beyond the balance.
 * A charge the risk step challenged or held is a pending transfer instead: the money is reserved (and counts
 * against the balance) until the customer or staff post it, or it is voided by denial or timeout.
 */
export const ledger: ChargeStep = {
  name: 'ledger',
  async run({ tx, ledger: engine }, items) {
    const open = openItems(items);
    if (open.length === 0) return;
    const results = await engine.applyTransfers(
      tx,
      open.map((item) => {
        const action = item.risk?.action ?? 'allow';
        assert(action !== 'deny', 'a denied charge never reaches the ledger');
        return {
          id: item.charge_id,
          debit_account_id: item.link!.account_id,
          credit_account_id: item.operator!.settlement_account_id,
          amount_yen: item.request.amount_yen,
          code: TransferCode.charge,
          user_data: item.link!.id,
          ...(action === 'allow' ? {} : { flags: { pending: true }, timeout_seconds: pendingTimeoutSeconds(action) }),
        };
      }),
    );
    assert(results.length === open.length, 'one ledger result per charge');
    open.forEach((item, index) => {
      const result = results[index];
      if (result === 'exceeds_credits') {
        item.outcome = { kind: 'refused', error: new FurikaeError('insufficient_funds', 'The account balance is too low for this charge') };
      } else {
        // Charge ids are fresh UUIDv7s and both accounts exist under lock: anything but ok is a bug.
        assert(result === 'ok', `charge transfer ${item.charge_id}: ${result}`);
      }
    });
  },
};
