import type { Database } from '../storage/database.ts';

/** A risk decision as the fraud desk sees it: what was decided, and which rules spoke. */
export interface ObservedDecision {
  stage: 'charge' | 'link';
  charge_id: string | null;
  link_id: string | null;
  customer_id: string;
  amount_yen: number;
  action: 'allow' | 'challenge' | 'hold' | 'deny';
  enforced: boolean;
  /** `rule@version` of every rule that alerted or blocked. */
  rules_fired: string[];
  decided_at: Date;
}

/** A staff alert, as the alert queue holds it. */
export interface ObservedAlert {
  at: Date;
  kind: string;
  severity: string;
  customer_id: string | null;
  link_id: string | null;
  /** The operator an operator-wide alert is about (an automatic containment), else null. */
  operator_id: string | null;
  reason_codes: string[];
}

/**
 * What the bank's own records say after a run, read the way its staff console reads them: the risk decisions behind
 * each charge and link, and the alert queue. Measuring only: the lab drives the bank through its entry points and
 * never writes here. Decisions are read for the customers asked about, and otherwise only where the bank did not
 * simply allow (so three years of ordinary top-ups are not read back one by one).
 */
export function createBankObserver(db: Database) {
  return {
    async decisions(customer_ids: readonly string[]): Promise<ObservedDecision[]> {
      const rows = await db.query<ObservedDecision & { amount_yen: string | number }>(
        `SELECT stage, charge_id, link_id, customer_id, amount_yen, action, enforced, decided_at,
                coalesce((SELECT array_agg(r->>'rule' ORDER BY r->>'rule') FROM jsonb_array_elements(rules) r WHERE r->>'outcome' <> 'pass'), ARRAY[]::text[]) AS rules_fired
           FROM risk_decisions
          WHERE customer_id = ANY($1::uuid[]) OR action <> 'allow' OR stage = 'link'
          ORDER BY decided_at, id`,
        [[...customer_ids]],
      );
      return rows.map((row) => ({ ...row, amount_yen: Number(row.amount_yen) }));
    },

    async alerts(): Promise<ObservedAlert[]> {
      return db.query<ObservedAlert>(`SELECT at, kind, severity, customer_id, link_id, operator_id, reason_codes FROM alerts ORDER BY at, id`);
    },
  };
}

export type BankObserver = ReturnType<typeof createBankObserver>;
