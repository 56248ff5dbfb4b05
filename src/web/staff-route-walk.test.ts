import { describeBankWalk, STAFF_HEAVY_PATHS } from '../testing/bank-route-walk.ts';

// The staff console but its heaviest pages, which src/web/staff-heavy-route-walk.test.ts walks.
describeBankWalk('staff console', (route) => route.url.startsWith('/staff') && !STAFF_HEAVY_PATHS.test(route.url), 30);
