import { describeBankWalk } from '../testing/bank-route-walk.ts';
import { BANK_API_PATHS } from './error-page.ts';

// Every page outside the staff console: internet banking, approvals, the authorization server's interaction pages,
// notices, API docs, stylesheets and the demo simulators.
describeBankWalk('customer-facing page', (route) => !BANK_API_PATHS.test(route.url) && !route.url.startsWith('/staff'), 20);
