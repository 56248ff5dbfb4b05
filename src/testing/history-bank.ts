import type { Database } from '../storage/database.ts';
import { createHistoryWriter, type HistoryLink } from '../history/history-writer.ts';
import { historyId } from '../history/history-ids.ts';
import type { LinkMethod } from '../operators/operator.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A customer of a hand-built history, with what tests need to refer to them. */
export interface HistoryCustomer {
  id: string;
  account_id: string;
  login_id: string;
  pin_key: string;
}

/** An operator of a hand-built history. */
export interface HistoryOperatorRow {
  id: string;
  settlement_account_id: string;
  client_id: string;
  label: string;
}

/**
 * A small history written straight into a migrated bank through the history writer, for the scan's tests: each call
 * is one row (a customer, a link, a charge, a sign-in), at the time given. Call `finish` before scanning.
 */
export function createHistoryBank(db: Database) {
  const writer = createHistoryWriter({ db, pin_hash: 'history-test-pin-hash', password_hash: 'history-test-password-hash' });
  let counter = 0;
  let customers = 0;
  const id = (at_ms: number) => historyId(at_ms, 0x0ffffff0, (counter += 1));
  const staff_id = id(Date.parse('2015-01-01'));
  let staffWritten = false;
  const staff = async () => {
    if (!staffWritten) await writer.staff({ id: staff_id, login_id: 'history-test-analyst', display_name: 'test analyst', created_ms: Date.parse('2015-01-01'), role: 'analyst' });
    staffWritten = true;
  };

  return {
    writer,
    async operator(client_id: string, method: LinkMethod): Promise<HistoryOperatorRow> {
      const created_ms = Date.parse('2015-01-01');
      const row = { id: id(created_ms), settlement_account_id: id(created_ms), client_id, label: client_id.slice(0, 20) };
      await writer.operator({ id: row.id, settlement_account_id: row.settlement_account_id, display_name: client_id, passbook_label: row.label, client_id, link_methods: [method], created_ms });
      return row;
    },

    /** A customer born on `birth_date` with `balance_yen` paid in when the account opened and money last out at `last_out`. */
    async customer(input: { birth_date: string; balance_yen: number; opened?: string; last_out?: string }): Promise<HistoryCustomer> {
      customers += 1;
      const opened_ms = Date.parse(input.opened ?? '2010-01-01T00:00:00Z');
      const customer = { id: id(opened_ms), account_id: id(opened_ms), login_id: `t${customers}`, pin_key: `${100 + (customers % 900)}-${String(1_000_000 + customers)}` };
      await writer.customer({ id: customer.id, account_id: customer.account_id, name_kanji: `試験 ${customers}`, name_kana: `シケン ${customers}`, birth_date: input.birth_date,
        phone: `090-0000-${String(customers).padStart(4, '0')}`, email: `t${customers}@example.jp`, login_id: customer.login_id, branch_code: String(100 + (customers % 900)),
        account_number: String(1_000_000 + customers), created_ms: opened_ms });
      writer.deposit({ id: id(opened_ms), account_id: customer.account_id, amount_yen: input.balance_yen + 10_000, at_ms: opened_ms });
      const out_ms = Date.parse(input.last_out ?? '2019-12-20T00:00:00Z');
      writer.withdrawal({ id: id(out_ms), account_id: customer.account_id, amount_yen: 10_000, at_ms: out_ms });
      return customer;
    },

    /** A link made at `at` from `device_id`; FAPI links carry the identity-match reasons given. */
    async link(customer: HistoryCustomer, operator: HistoryOperatorRow, at: string, extras: { method?: LinkMethod; device_id?: string | null; identity_match_reasons?: string[]; revoked?: string } = {}): Promise<HistoryLink> {
      const created_ms = Date.parse(at);
      const method = extras.method ?? 'legacy_pin';
      const reasons = extras.identity_match_reasons;
      const link: HistoryLink = {
        id: id(created_ms), operator_id: operator.id, account_id: customer.account_id, customer_id: customer.id, method, created_ms,
        charge_yen_max: 100_000, charges_yen_per_month_max: 300_000, source_ip: method === 'fapi2' ? `10.0.0.${customers}` : '203.0.113.1',
        device_id: extras.device_id === undefined ? `device-${customer.id}` : extras.device_id, device_links_24h: 1, ip_links_24h: 1, device_accounts_30d: 1,
        ...(reasons ? { kyc: { level: 'ekyc_document_face', identity_match_reasons: reasons,
          identity_match_score: (reasons.includes('name_mismatch') ? 0 : 45) + (reasons.includes('birth_date_mismatch') ? 0 : 35) + (reasons.includes('phone_mismatch') ? 0 : 20) } } : {}),
        ...(extras.revoked ? { revoked: { at_ms: Date.parse(extras.revoked), by: `staff:${staff_id}` } } : {}),
      };
      await writer.link(link);
      return link;
    },

    /** A charge whose money moved; returns its id. */
    charge(link: HistoryLink, operator: HistoryOperatorRow, amount_yen: number, at: string): string {
      const at_ms = Date.parse(at);
      const charge_id = id(at_ms);
      const moved = writer.charge({ id: charge_id, link_id: link.id, operator_id: operator.id, settlement_account_id: operator.settlement_account_id,
        account_id: link.account_id, amount_yen, at_ms, label: operator.label });
      if (!moved) throw new Error(`charge of ${amount_yen} at ${at} would overdraw`);
      return charge_id;
    },

    deposit(customer: HistoryCustomer, amount_yen: number, at: string) {
      writer.deposit({ id: id(Date.parse(at)), account_id: customer.account_id, amount_yen, at_ms: Date.parse(at) });
    },

    signIn(customer: HistoryCustomer, at: string) {
      writer.credentialAttempt({ id: id(Date.parse(at)), credential: 'password', account_key: `login:${customer.login_id}`, source_ip: '10.9.9.9', outcome: 'success', at_ms: Date.parse(at) });
    },

    pinFailure(customer: HistoryCustomer, at: string) {
      writer.credentialAttempt({ id: id(Date.parse(at)), credential: 'legacy_pin', account_key: customer.pin_key, source_ip: '203.0.113.1', outcome: 'failure', at_ms: Date.parse(at) });
    },

    lockPin(customer: HistoryCustomer, at: string) {
      return writer.lock({ state_id: id(Date.parse(at)), event_id: id(Date.parse(at)), credential: 'legacy_pin', account_key: customer.pin_key, customer_id: customer.id, at_ms: Date.parse(at) });
    },

    notMe(customer: HistoryCustomer, link: HistoryLink, at: string) {
      return writer.notMe({ token_id: id(Date.parse(at)), customer_id: customer.id, link_id: link.id, charge_id: null, at_ms: Date.parse(at) });
    },

    async resolvedCase(customer: HistoryCustomer, link: HistoryLink, resolution: 'fraud' | 'legitimate', at: string) {
      await staff();
      const at_ms = Date.parse(at);
      return writer.resolvedCase({ id: id(at_ms), customer_id: customer.id, link_id: link.id, operator_id: link.operator_id, charge_ids: [], opened_ms: at_ms - DAY_MS,
        resolved_ms: at_ms, resolution, staff_id, summary: 'test case' });
    },

    finish: () => writer.finish(),
  };
}

export type HistoryBank = ReturnType<typeof createHistoryBank>;
