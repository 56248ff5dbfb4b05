import { testBackends } from '../testing/test-databases.ts';
import { describeHardenedFlow } from './hardened-flow.ts';

describeHardenedFlow(testBackends.find((backend) => backend.name === 'pglite')!);
