import { assert } from '../shared/assert.ts';
import type { BankClient } from './bank-client.ts';
import type { BankChargeSender } from './bank-charge-sender.ts';

/** Charges with a 2020 link token as the bearer credential (legacy mode). */
export function createLinkTokenChargeSender(bank: BankClient): BankChargeSender {
  return {
    send(link, request) {
      assert(link.link_token !== null, `link ${link.id} (${link.method}) has no link token`);
      return bank.createCharge({ link_token: link.link_token, ...request });
    },
  };
}
