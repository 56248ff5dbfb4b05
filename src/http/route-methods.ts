/**
 * Which methods a path takes, for answering 405 with `Allow` rather than 404 when a known path is asked with the
 * wrong method. Fastify's router is not public, so the routes are recorded as they are added (an onRoute hook)
 * into a second router of the same kind (find-my-way, which Fastify itself uses) with the same matching rules.
 */
import { METHODS } from 'node:http';
import FindMyWay from 'find-my-way';
import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify';
import { PATH_PARAM_CHARS_MAX } from './http-limits.ts';

/** One route as registered: for tests that walk everything an app serves, taken from the app itself. */
export interface RegisteredRoute {
  method: string;
  /** The path pattern with its prefix, e.g. `/v1/charges/:id/refunds`. */
  url: string;
  schema: FastifySchema | undefined;
}

/** The methods each registered path takes. */
export interface RouteMethods {
  /** The methods some route takes for this URL (its query ignored), sorted; empty when no route has the path. */
  allowed(url: string): string[];
  /** Every route registered so far, one per method. */
  list(): readonly RegisteredRoute[];
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The routes this app registered (src/http/route-methods.ts). */
    routeMethods: RouteMethods;
  }
}

/** Records every route `app` (and every plugin inside it) registers from now on; also as `app.routeMethods`. */
export function recordRouteMethods(app: FastifyInstance): RouteMethods {
  const router = FindMyWay({ maxParamLength: PATH_PARAM_CHARS_MAX });
  const methods = METHODS.filter((method) => method !== 'CONNECT');
  const registered: RegisteredRoute[] = [];
  app.addHook('onRoute', (route: RouteOptions) => {
    for (const method of [route.method].flat()) {
      registered.push({ method, url: route.url, schema: route.schema });
      if (!methods.includes(method)) continue;
      try {
        router.on(method as FindMyWay.HTTPMethod, route.url, () => undefined);
      } catch {
        // The same method and path twice (Fastify's own HEAD twin of a GET, for one): already recorded.
      }
    }
  });
  const routeMethods: RouteMethods = {
    list: () => registered,
    allowed(url) {
      const path = url.split('?')[0] ?? '/';
      return methods.filter((method) => router.find(method as FindMyWay.HTTPMethod, path) !== null).sort();
    },
  };
  app.decorate('routeMethods', routeMethods);
  return routeMethods;
}
