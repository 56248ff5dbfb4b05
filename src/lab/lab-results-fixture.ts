import type { LabResults } from './run-lab.ts';
import type { RunResult } from './run-scenario.ts';
import type { GroupFriction } from './lab-measures.ts';

function friction(group: string, customers: number, charges: number, challenged: number, denied: number): GroupFriction {
  return {
    group, customers, charges, challenged, held: 0, denied, consent_expired: 0, other_refused: 0, step_ups_approved: challenged, links_attempted: customers,
    links_made: customers, links_flagged: 0, alerts: challenged, challenged_pct: Math.round((challenged / charges) * 10_000) / 100, held_pct: 0,
    denied_pct: Math.round((denied / charges) * 10_000) / 100,
    frictioned_by: challenged + denied === 0 ? [] : [{ rule: 'dormant-account-charged@1', charges: challenged + denied }],
  };
}

function run(configuration: '2020' | 'hardened'): RunResult {
  const legacy = configuration === '2020';
  return {
    scenario: 'docomo-2020', configuration, risk_mode: legacy ? 'observe' : 'enforce', seed: 2020, scale: 0.1,
    timeline: { start: '2020-07-31T15:00:00.000Z', end: '2020-09-14T15:00:00.000Z', days: 45, resolution_minutes: 10 },
    population: { customers: 55, victims_held: 7, by_cohort: { typical: 30, elderly: 8, leaked: 7 } },
    engine: { steps: 438, moves: 468 },
    failures: [], failures_count: 0,
    measures: {
      theft: {
        attempted_yen: legacy ? 1_700_000 : 0, stolen_yen: legacy ? 1_500_000 : 0, recovered_yen: 0, blocked_yen: legacy ? 200_000 : 0,
        victims: legacy ? 6 : 0, victims_targeted: 7, links_attempted: 8, links_made: legacy ? 7 : 0, charges_attempted: legacy ? 18 : 0, victims_told_of_locks: legacy ? 0 : 1,
        first_attempt_at: '2020-08-04T07:46:48.272Z', first_theft_at: legacy ? '2020-08-04T08:20:31.203Z' : null,
        first_alert_at: legacy ? '2020-08-19T02:00:00.000Z' : null, contained_at: legacy ? null : '2020-08-04T07:46:48.272Z',
        detection_seconds: legacy ? 1_273_169 : null, containment_seconds: legacy ? null : 0,
        caught_by: legacy
          ? [{ control: 'balance', yen: 150_000, charges: 2, links: 0 }, { control: 'not-me: link frozen', yen: 50_000, charges: 1, links: 0 }]
          : [{ control: 'policy: no 2020 path', yen: 0, charges: 0, links: 7 }, { control: 'second factor', yen: 0, charges: 0, links: 1 }],
        stolen_seen_by: legacy ? [{ rule: 'legacy-link-unused-operator@1', yen: 1_500_000 }, { rule: 'new-link-large-charge@1', yen: 700_000 }] : [],
        stolen_series: legacy ? [{ day: 0, yen: 0 }, { day: 4, yen: 100_000 }, { day: 20, yen: 900_000 }, { day: 45, yen: 1_500_000 }] : [{ day: 0, yen: 0 }, { day: 45, yen: 0 }],
        charges: legacy
          ? [{ at: '2020-08-04T08:20:31.203Z', victim: 'leaked#4', operator: 'docomo', amount_yen: 100_000, answer: 'succeeded', fate: 'stolen', controls: ['legacy-link-unused-operator@1', 'new-link-large-charge@1'] },
            { at: '2020-08-04T16:10:17.286Z', victim: 'leaked#4', operator: 'docomo', amount_yen: 100_000, answer: 'insufficient_funds', fate: 'blocked', controls: ['balance'] }]
          : [],
        step_up_answers: {},
      },
      alerts: { about_attack: legacy ? 3 : 0, about_honest: legacy ? 0 : 1, first_kinds: legacy ? ['not_me'] : [] },
      friction: [friction('65+', 8, 23, 0, 0), friction('typical', 30, 78, legacy ? 0 : 1, 0)],
    },
  };
}

/** A small results file as `furikae lab run docomo-2020 --quick` writes it: for the report's and the console's tests. */
export function labResultsFixture(): LabResults {
  return {
    format: 1, seed: null, quick: true,
    scenarios: [{
      id: 'docomo-2020', title: 'Docomo account thefts, August–September 2020', summary: 'Wallets opened in victims’ names.',
      sources: ['Asahi Shimbun, 10 Sep 2020: 66 cases, ¥18M'], file: 'lab/scenarios/docomo-2020.yaml',
      configurations: [{ id: '2020', describes: 'the 2020 policy' }, { id: 'hardened', describes: 'the default' }],
    }],
    runs: [run('2020'), run('hardened')],
  };
}
