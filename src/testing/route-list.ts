import type { FastifyInstance } from 'fastify';

/** One route of an app: its path pattern (`/staff/cases/:id/assign`) and its methods. */
export interface ListedRoute {
  path: string;
  methods: string[];
}

/**
 * Every route of a ready app, read from Fastify's own route tree (printRoutes), so a test can walk them all and a
 * route added later is walked too.
 */
export function listRoutes(app: FastifyInstance): ListedRoute[] {
  const routes: ListedRoute[] = [];
  const parents: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([\s│]*)(?:[├└]── )?(\S+) \(([^)]*)\)$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    const path = depth === 0 ? match[2]! : `${parents[depth - 1]}${match[2]}`;
    parents[depth] = path;
    routes.push({ path, methods: match[3]!.split(', ') });
  }
  return routes;
}
