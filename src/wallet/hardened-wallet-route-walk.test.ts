import { describeWalletWalk } from '../testing/wallet-route-walk.ts';

// The 2020-mode wallet is walked by wallet-route-walk.test.ts.
describeWalletWalk('hardened');
