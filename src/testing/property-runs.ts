/** Set (to 1) by `npm run test:deep`: property tests run at nightly length. */
export const DEEP_TESTS_ENV = 'FURIKAE_TEST_DEEP';

/**
 * Runs per property per backend in every `npm test`, CI included: 100 random scenarios mix holds, posts, voids and
 * retries across interleaved batches well enough to catch an ordering bug, in a few seconds per backend.
 */
export const PROPERTY_RUNS = 100;
/** `npm run test:deep` runs ten times as many, as a nightly job would. */
export const PROPERTY_RUNS_DEEP_FACTOR = 10;

/** How many runs a property test makes in this run. */
export function propertyRuns(env: NodeJS.ProcessEnv = process.env): number {
  return env[DEEP_TESTS_ENV] === '1' ? PROPERTY_RUNS * PROPERTY_RUNS_DEEP_FACTOR : PROPERTY_RUNS;
}
