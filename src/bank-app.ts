import type { FastifyInstance } from 'fastify';
import { createHttpApp } from './http/create-http-app.ts';
import { registerOpenApi } from './http/openapi.ts';
import { linkRoutes } from './http/routes/link-routes.ts';
import { chargeRoutes } from './http/routes/charge-routes.ts';
import { createBankServices, type BankServices, type BankServicesDeps } from './bank-services.ts';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import { createSessionStore } from './web/session-store.ts';
import { customerPages } from './web/customer-pages.ts';
import { staffPages } from './web/staff-pages.ts';
import { securityPages } from './web/security-pages.ts';
import { staffSecurityPages } from './web/staff-security-pages.ts';

export interface BankApp {
  app: FastifyInstance;
  services: BankServices;
  close(): Promise<void>;
}

/** The bank: instant-transfer API, OpenAPI docs, customer and staff pages. The database must be migrated. */
export async function createBankApp(deps: BankServicesDeps): Promise<BankApp> {
  const services = await createBankServices(deps);
  const app = createHttpApp({ log: deps.log });
  await registerOpenApi(app);
  app.get('/health', { schema: { hide: true } }, async () => ({ ok: true }));
  await app.register(async (api) => {
    await linkRoutes(api, services);
    await chargeRoutes(api, services);
  });
  await app.register(async (pages) => {
    await pages.register(cookie);
    await pages.register(formbody);
    const sessions = createSessionStore({ db: deps.db, clock: deps.clock });
    await customerPages(pages, services, sessions);
    await staffPages(pages, services, sessions);
    await securityPages(pages, services, sessions);
    await staffSecurityPages(pages, services, sessions);
  });
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/bank/login'));
  return {
    app,
    services,
    async close() {
      await app.close();
      await services.close();
    },
  };
}
