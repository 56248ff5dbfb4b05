import type { Database } from '../storage/database.ts';
import type { Clock } from '../shared/clock.ts';
import { FurikaeError } from '../errors/furikae-error.ts';
import { LINK_COLUMNS, type Link } from './link.ts';

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

    /** Revokes a link; revoking it again changes nothing. The credential stops working at once. */
    async revoke(operator_id: string, link_id: string, revoked_by: string): Promise<LinkView> {
      await db.query(
        `UPDATE links SET status = 'revoked', revoked_at = $3, revoked_by = $4
          WHERE id = $1 AND operator_id = $2 AND status <> 'revoked'`,
        [link_id, operator_id, clock.now(), revoked_by],
      );
      return this.getForOperator(operator_id, link_id);
    },
  };
}

export type LinkStore = ReturnType<typeof createLinkStore>;
