import { describeBankWalk, STAFF_HEAVY_PATHS } from '../testing/bank-route-walk.ts';

// Scans, incidents, compensations, campaigns and the lab: the console's pages that draw charts or read history.
describeBankWalk('staff scan, incident and lab', (route) => STAFF_HEAVY_PATHS.test(route.url), 20);
