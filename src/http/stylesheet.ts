import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { cachePublicly } from './security-headers.ts';

/** A year: a stylesheet's URL carries its content's hash, so a changed sheet is a new URL and an old one never goes stale. */
const STYLESHEET_MAX_AGE_SECONDS = 365 * 24 * 60 * 60;

/** A stylesheet file and the URL it is served at. */
export interface Stylesheet {
  /** `/assets/<name>.<content hash>.css` */
  path: string;
  css: string;
}

/**
 * Reads a stylesheet file once, with any rules generated from code (e.g. one per countdown second) appended. Pages link it rather than inline it: the Content-Security-Policy allows styles
 * from the app itself only ('self'), never inline ones, so an injected <style> or style attribute does nothing.
 */
export function loadStylesheet(name: string, file: URL, generated = ''): Stylesheet {
  const css = readFileSync(file, 'utf8') + generated;
  const hash = createHash('sha256').update(css).digest('hex').slice(0, 12);
  return { path: `/assets/${name}.${hash}.css`, css };
}

/** Serves stylesheets at their hashed paths, cacheable by anyone for a year. */
export function serveStylesheets(app: FastifyInstance, sheets: readonly Stylesheet[]): void {
  for (const sheet of sheets) {
    app.get(sheet.path, { schema: { hide: true } }, async (_request, reply) => {
      cachePublicly(reply, STYLESHEET_MAX_AGE_SECONDS);
      return reply.type('text/css; charset=utf-8').send(sheet.css);
    });
  }
}
