import { testBackends } from '../testing/test-databases.ts';
import { describeDemoFlow2020 } from './demo-flow-2020.ts';

describeDemoFlow2020(testBackends.find((backend) => backend.name === 'postgres')!);
