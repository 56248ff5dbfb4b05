import type { Database } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import { FurikaeError } from '../errors/furikae-error.ts';
import { LINK_COLUMNS, type Link } from './link.ts';
import { revokeLink } from './revoke-link.ts';

/** A link as the operator sees it: with the account's branch and number for display. */
export interface LinkView extends Link {
  branch_code: string;
  account_number: string;
}

/** Reading and revoking links. */
export function createLinkStore({ db, clock }: { db: Database; clock: Clock }) {
  const select = `SELECT ${LINK_COLUMNS.split(', ').map((c) => `l.${c}`).join(', ')}, a.branch_code, a.account_number
                    FROM links l JOIN bank_accounts a ON a.id = l.account_id`;
  return {
    /** The operator's own link, or link_not_found: an operator never learns of another's links. */
    async getForOperator(operator_id: string, link_id: string): Promise<LinkView> {
      const [link] = await db.query<LinkView>(`${select} WHERE l.id = $1 AND l.operator_id = $2`, [link_id, operator_id]);
      if (!link) throw new FurikaeError('link_not_found', `No link ${link_id}`);
      return link;
    },

    /** Links on one bank account, newest first (the customer's "linked services"). */
    async listForAccount(account_id: string): Promise<LinkView[]> {
      return db.query<LinkView>(`${select} WHERE l.account_id = $1 ORDER BY l.created_at DESC`, [account_id]);
    },

    /** Revokes a link (see revokeLink); revoking it again changes nothing. */
    async revoke(operator_id: string, link_id: string, revoked_by: string): Promise<LinkView> {
      await db.transaction((tx) => revokeLink(tx, { id: link_id, operator_id }, revoked_by, clock.now()));
      return this.getForOperator(operator_id, link_id);
    },

    /** Revokes one of the customer's own links from the "linked services" page; undefined if it is not theirs. */
    async revokeByCustomer(customer_id: string, link_id: string): Promise<LinkView | undefined> {
      const [owned] = await db.query<{ operator_id: string }>(
        `SELECT l.operator_id FROM links l JOIN bank_accounts a ON a.id = l.account_id WHERE l.id = $1 AND a.customer_id = $2`,
        [link_id, customer_id],
      );
      return owned ? this.revoke(owned.operator_id, link_id, `customer:${customer_id}`) : undefined;
    },
  };
}

export type LinkStore = ReturnType<typeof createLinkStore>;
