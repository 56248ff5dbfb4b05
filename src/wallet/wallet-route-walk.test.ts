import { describeWalletWalk } from '../testing/wallet-route-walk.ts';

// The hardened wallet is walked by hardened-wallet-route-walk.test.ts.
describeWalletWalk('legacy_2020');
