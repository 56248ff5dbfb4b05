import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { cachePublicly } from '../http/security-headers.ts';
import { html, type SafeHtml } from './html.ts';
import { SESSION_KINDS } from './session-store.ts';

/** A year: a script's URL carries its content's hash, so a changed script is a new URL and an old one never goes stale. */
const SCRIPT_MAX_AGE_SECONDS = 365 * 24 * 60 * 60;

interface Script {
  /** `/assets/<name>.<content hash>.js` */
  path: string;
  js: string;
}

function loadScript(name: string, file: string | URL): Script {
  const js = readFileSync(file, 'utf8');
  return { path: `/assets/${name}.${createHash('sha256').update(js).digest('hex').slice(0, 12)}.js`, js };
}

/**
 * The passkey pages' scripts, in load order: @simplewebauthn/browser's own bundle from node_modules (served by the
 * bank, never a CDN: the Content-Security-Policy allows scripts from the app alone), then the bank's prompt.
 */
const PASSKEY_SCRIPTS: readonly Script[] = [
  // The package exports only its modules; its browser bundle sits beside them (package.json `unpkg`).
  loadScript('simplewebauthn-browser', join(dirname(createRequire(import.meta.url).resolve('@simplewebauthn/browser')), '..', 'dist', 'bundle', 'index.umd.min.js')),
  loadScript('passkey-prompt', new URL('./scripts/passkey-prompt.js', import.meta.url)),
];

/** Serves the passkey scripts at their hashed paths, cacheable by anyone for a year. */
export function servePasskeyScripts(app: FastifyInstance): void {
  for (const script of PASSKEY_SCRIPTS) {
    app.get(script.path, { schema: { hide: true } }, async (_request, reply) => {
      cachePublicly(reply, SCRIPT_MAX_AGE_SECONDS);
      return reply.type('text/javascript; charset=utf-8').send(script.js);
    });
  }
}

/** The script tags a page that offers a passkey carries (at the end of its form; nothing inline). */
export function passkeyScriptTags(): SafeHtml {
  return html`${PASSKEY_SCRIPTS.map((script) => html`<script src="${script.path}"></script>`)}`;
}

/**
 * What a passkey challenge issued to a customer page is bound to: a digest of the session cookie, so a challenge
 * shown in one browser session cannot be answered from another (the cookie itself never leaves the request).
 */
export function customerSessionBinding(request: FastifyRequest): string {
  const cookie = request.cookies[SESSION_KINDS.customer.cookie] ?? '';
  return `session:${createHash('sha256').update(`furikae.passkey.v1:${cookie}`).digest('base64url')}`;
}

/** What a passkey challenge issued on an authorization interaction page is bound to: that interaction. */
export function interactionBinding(uid: string): string {
  return `interaction:${uid}`;
}
