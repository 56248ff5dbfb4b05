/**
 * Property tests: random groups of transfers between a handful of accounts, submitted by concurrent
 * callers through the batching writer (with tiny batches, so groups split and interleave), never overdraw,
 * always sum to zero, and every answer agrees with the final balances.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { testBackends } from '../testing/test-databases.ts';
import { propertyRuns } from '../testing/property-runs.ts';
import type { Account, AccountFlags, CreateTransferResult, NewTransfer } from './ledger-types.ts';
import { openTestLedger, type TestLedger } from './open-test-ledger.ts';

/** Batches of 5 make most groups span batches and share them with other callers' groups. */
const BATCH_TRANSFERS_MAX = 5;

/** The accounts of one run: index 0 is the bank, which may go negative; the rest have the flags below. */
const ACCOUNT_FLAGS: AccountFlags[] = [
  {},
  { debits_must_not_exceed_credits: true },
  { debits_must_not_exceed_credits: true },
  { credits_must_not_exceed_debits: true },
  {},
];

type Op =
  | { kind: 'single' | 'pending'; debit: number; credit: number; amount_yen: number }
  | { kind: 'post'; ref: number; amount_yen: number }
  | { kind: 'void'; ref: number }
  | { kind: 'retry'; ref: number };

const accountIndex = fc.integer({ min: 0, max: ACCOUNT_FLAGS.length - 1 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('single' as const), debit: accountIndex, credit: accountIndex, amount_yen: fc.integer({ min: 1, max: 400 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('pending' as const), debit: accountIndex, credit: accountIndex, amount_yen: fc.integer({ min: 1, max: 400 }) }) },
  // amount 0 posts the whole pending amount.
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('post' as const), ref: fc.nat(), amount_yen: fc.integer({ min: 0, max: 400 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('void' as const), ref: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('retry' as const), ref: fc.nat() }) },
);
const scenario = fc.record({
  opening_yen: fc.array(fc.integer({ min: 0, max: 600 }), { minLength: ACCOUNT_FLAGS.length - 1, maxLength: ACCOUNT_FLAGS.length - 1 }),
  groups: fc.array(fc.array(op, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 }),
  /** For the interleaved property: how many event-loop turns each caller waits before submitting. */
  delays: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 8, maxLength: 8 }),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** Turns ops into transfers: refs pick earlier transfers (pending ones for post and void) in submission order. */
function buildTransfers(t: TestLedger, accounts: string[], groups: Op[][]): NewTransfer[][] {
  const all: NewTransfer[] = [];
  return groups.map((group) =>
    group.map((step) => {
      let transfer: NewTransfer;
      const holds = all.filter((earlier) => earlier.flags?.pending);
      if (step.kind === 'single' || step.kind === 'pending') {
        transfer = {
          id: t.ids.next(),
          debit_account_id: accounts[step.debit],
          credit_account_id: accounts[step.credit],
          amount_yen: step.amount_yen,
          code: 1,
          ...(step.kind === 'pending' ? { flags: { pending: true } } : {}),
        };
      } else if (step.kind === 'retry' && all.length > 0) {
        transfer = all[step.ref % all.length] as NewTransfer;
      } else if (step.kind === 'post' || step.kind === 'void') {
        const pending_id = holds.length > 0 ? (holds[step.ref % holds.length] as NewTransfer).id : t.ids.next();
        transfer =
          step.kind === 'post'
            ? { id: t.ids.next(), pending_id, amount_yen: step.amount_yen, code: 2, flags: { post_pending_transfer: true } }
            : { id: t.ids.next(), pending_id, code: 3, flags: { void_pending_transfer: true } };
      } else {
        transfer = { id: t.ids.next(), debit_account_id: accounts[0], credit_account_id: accounts[1], amount_yen: 1, code: 1 };
      }
      all.push(transfer);
      return transfer;
    }),
  );
}

interface Balances {
  flags: AccountFlags;
  debits_pending: number;
  debits_posted: number;
  credits_pending: number;
  credits_posted: number;
}

/** A plain one-at-a-time reference ledger for the subset of rules the scenarios reach. */
function modelResults(accounts: Map<string, Balances>, transfers: NewTransfer[]): CreateTransferResult[] {
  const stored = new Map<string, NewTransfer>();
  const states = new Map<string, 'pending' | 'posted' | 'voided'>();
  return transfers.map((transfer): CreateTransferResult => {
    if (stored.has(transfer.id)) return 'exists';
    const settling = transfer.flags?.post_pending_transfer || transfer.flags?.void_pending_transfer;
    if (settling) {
      const pending = stored.get(transfer.pending_id as string);
      if (!pending) return 'pending_transfer_not_found';
      const amount_yen = transfer.amount_yen || (pending.amount_yen as number);
      if (amount_yen > (pending.amount_yen as number)) return 'exceeds_pending_transfer_amount';
      const state = states.get(pending.id);
      if (state === 'posted') return 'pending_transfer_already_posted';
      if (state === 'voided') return 'pending_transfer_already_voided';
      const debit = accounts.get(pending.debit_account_id as string) as Balances;
      const credit = accounts.get(pending.credit_account_id as string) as Balances;
      debit.debits_pending -= pending.amount_yen as number;
      credit.credits_pending -= pending.amount_yen as number;
      if (transfer.flags?.post_pending_transfer) {
        debit.debits_posted += amount_yen;
        credit.credits_posted += amount_yen;
      }
      states.set(pending.id, transfer.flags?.post_pending_transfer ? 'posted' : 'voided');
      stored.set(transfer.id, transfer);
      return 'ok';
    }
    if (transfer.debit_account_id === transfer.credit_account_id) return 'accounts_must_be_different';
    const debit = accounts.get(transfer.debit_account_id as string) as Balances;
    const credit = accounts.get(transfer.credit_account_id as string) as Balances;
    const amount_yen = transfer.amount_yen as number;
    if (debit.flags.debits_must_not_exceed_credits && debit.debits_pending + debit.debits_posted + amount_yen > debit.credits_posted) {
      return 'exceeds_credits';
    }
    if (credit.flags.credits_must_not_exceed_debits && credit.credits_pending + credit.credits_posted + amount_yen > credit.debits_posted) {
      return 'exceeds_debits';
    }
    if (transfer.flags?.pending) {
      debit.debits_pending += amount_yen;
      credit.credits_pending += amount_yen;
      states.set(transfer.id, 'pending');
    } else {
      debit.debits_posted += amount_yen;
      credit.credits_posted += amount_yen;
    }
    stored.set(transfer.id, transfer);
    return 'ok';
  });
}

/** Balances implied by the answers alone, whatever order the writer took: what each `ok` must have moved. */
function balancesFromResults(accounts: string[], transfers: NewTransfer[], results: CreateTransferResult[]): Map<string, Omit<Balances, 'flags'>> {
  const balances = new Map(accounts.map((id) => [id, { debits_pending: 0, debits_posted: 0, credits_pending: 0, credits_posted: 0 }]));
  const created = new Map<string, NewTransfer>();
  const settled = new Set<string>();
  transfers.forEach((transfer, index) => {
    if (results[index] === 'ok' && !transfer.pending_id) created.set(transfer.id, transfer);
  });
  transfers.forEach((transfer, index) => {
    if (results[index] !== 'ok') return;
    if (transfer.pending_id) {
      const pending = created.get(transfer.pending_id);
      assert.ok(pending?.flags?.pending, 'an ok post or void settles a pending transfer that was created');
      assert.ok(!settled.has(pending.id), 'a pending transfer is settled at most once');
      settled.add(pending.id);
      if (transfer.flags?.post_pending_transfer) {
        const amount_yen = transfer.amount_yen || (pending.amount_yen as number);
        (balances.get(pending.debit_account_id as string) as Balances).debits_posted += amount_yen;
        (balances.get(pending.credit_account_id as string) as Balances).credits_posted += amount_yen;
      }
    }
  });
  for (const transfer of created.values()) {
    const debit = balances.get(transfer.debit_account_id as string) as Balances;
    const credit = balances.get(transfer.credit_account_id as string) as Balances;
    const amount_yen = transfer.amount_yen as number;
    if (!transfer.flags?.pending) {
      debit.debits_posted += amount_yen;
      credit.credits_posted += amount_yen;
    } else if (!settled.has(transfer.id)) {
      debit.debits_pending += amount_yen;
      credit.credits_pending += amount_yen;
    }
  }
  return balances;
}

const balancesOf = (account: Account) => ({
  debits_pending: account.debits_pending,
  debits_posted: account.debits_posted,
  credits_pending: account.credits_pending,
  credits_posted: account.credits_posted,
});

function assertNotOverdrawn(account: Account): void {
  if (account.flags.debits_must_not_exceed_credits) assert.ok(account.debits_pending + account.debits_posted <= account.credits_posted, `${account.id} overdrawn`);
  if (account.flags.credits_must_not_exceed_debits) assert.ok(account.credits_pending + account.credits_posted <= account.debits_posted, `${account.id} over-credited`);
}

for (const backend of testBackends) {
  describe(`ledger properties on ${backend.name}`, { skip: backend.skip }, () => {
    let t: TestLedger;
    before(async () => {
      t = await openTestLedger(backend, { batch_transfers_max: BATCH_TRANSFERS_MAX });
    });
    after(() => t.close());

    /** Fresh accounts for one run, funded from the bank in the first group. */
    async function setUp(run: Scenario) {
      const accounts = ACCOUNT_FLAGS.map(() => t.ids.next());
      assert.deepEqual(await t.ledger.createAccounts(accounts.map((id, index) => ({ id, code: 1, flags: ACCOUNT_FLAGS[index] }))), accounts.map(() => 'ok'));
      const opening: NewTransfer[] = run.opening_yen.flatMap((amount_yen, index) =>
        amount_yen > 0 ? [{ id: t.ids.next(), debit_account_id: accounts[0], credit_account_id: accounts[index + 1], amount_yen, code: 9 }] : [],
      );
      // Account 3 may not hold a net credit, so its opening deposit is refused: that is part of the scenario.
      return { accounts, groups: [opening, ...buildTransfers(t, accounts, run.groups)] };
    }

    test('callers submitting in one turn are served in order: every answer and balance matches a one-at-a-time ledger', async () => {
      await fc.assert(
        fc.asyncProperty(scenario, async (run) => {
          const { accounts, groups } = await setUp(run);
          const answers = await Promise.all(groups.map((group) => t.ledger.createTransfers(group)));
          const model = new Map(accounts.map((id, index) => [id, { flags: ACCOUNT_FLAGS[index] as AccountFlags, debits_pending: 0, debits_posted: 0, credits_pending: 0, credits_posted: 0 }]));
          assert.deepEqual(answers.flat(), modelResults(model, groups.flat()));
          const stored = await t.ledger.lookupAccounts(accounts);
          for (const account of stored) {
            const { flags: _flags, ...expected } = model.get(account.id) as Balances;
            assert.deepEqual(balancesOf(account), expected);
            assertNotOverdrawn(account);
          }
        }),
        { numRuns: propertyRuns() },
      );
      assert.equal((await t.ledger.checkInvariants()).ok, true);
    });

    test('callers submitting at scattered moments never overdraw, and the answers account for every balance', async () => {
      await fc.assert(
        fc.asyncProperty(scenario, async (run) => {
          const { accounts, groups } = await setUp(run);
          const answers = await Promise.all(
            groups.map(async (group, index) => {
              for (let turn = 0; turn < (run.delays[index % run.delays.length] as number); turn++) await new Promise((resolve) => setImmediate(resolve));
              return t.ledger.createTransfers(group);
            }),
          );
          const expected = balancesFromResults(accounts, groups.flat(), answers.flat());
          let posted_sum_yen = 0;
          for (const account of await t.ledger.lookupAccounts(accounts)) {
            assert.deepEqual(balancesOf(account), expected.get(account.id));
            assertNotOverdrawn(account);
            posted_sum_yen += account.credits_posted - account.debits_posted;
          }
          assert.equal(posted_sum_yen, 0);
          const report = await t.ledger.checkInvariants();
          assert.equal(report.ok, true, JSON.stringify(report));
        }),
        { numRuns: propertyRuns() },
      );
    });
  });
}
