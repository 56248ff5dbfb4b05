/**
 * What every wallet page handler shares: finding the session behind the cookie, the refusal for a form whose
 * token is wrong (checked before any handler runs, src/http/form-csrf.ts), answering with HTML and safe headers,
 * and minting the form-embedded ids.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errorCodes } from '../../errors/error-codes.ts';
import { allowFormTargets } from '../../http/security-headers.ts';
import { textField } from '../form-fields.ts';
import { renderMessagePage } from '../pages/message-page.ts';
import type { PageFrame } from '../pages/page-layout.ts';
import type { WalletContext } from '../wallet-context.ts';
import { walletFailure, type WalletFailure } from '../wallet-outcome.ts';
import { SESSION_SECONDS_MAX, type WalletSession, type WalletSessions } from '../wallet-sessions.ts';
import { findWalletUserById, type WalletUser } from '../wallet-users.ts';
import type { WalletDevices, WalletEndUser } from '../wallet-devices.ts';

/** The session cookie's name: distinct from the bank's own cookies, which may share the host. */
export const SESSION_COOKIE = 'wallet_session';
/** The hardened wallet's cookie: cookies ignore ports, so two wallets on one demo host need two names. */
export const HARDENED_SESSION_COOKIE = 'wallet_secure_session';
/** Each session cookie's form-token secret cookie, named apart for the same reason (and apart from the bank's). */
export const FORM_TOKEN_COOKIES: Record<string, string> = { [SESSION_COOKIE]: 'wallet_csrf', [HARDENED_SESSION_COOKIE]: 'wallet_secure_csrf' };
/** Each session cookie's device cookie (src/wallet/wallet-devices.ts), named apart for the same reason. */
export const DEVICE_COOKIES: Record<string, string> = { [SESSION_COOKIE]: 'wallet_device', [HARDENED_SESSION_COOKIE]: 'wallet_secure_device' };

export interface PageKitOptions {
  context: WalletContext;
  sessions: WalletSessions;
  operator_name: string;
  /** Mark the cookie Secure: on whenever the wallet is served over https. */
  secure_cookies: boolean;
  /** The session cookie's name; SESSION_COOKIE unless given. */
  cookie_name?: string;
  /** The browsers' device ids, relayed to the bank with their addresses. */
  devices: WalletDevices;
}

export interface SignedIn {
  session: WalletSession;
  user: WalletUser;
  /** This page's form token, for its forms and the logout button. */
  form_token: string;
}

/** A form body as a record of whatever arrived; anything that is not an object reads as empty. */
export type FormBody = Record<string, unknown>;

/** Field schema for a wallet form: every field text, bounded, none unknown; checked with attachValidation so pages can answer. */
export function formSchema(fields: readonly string[]) {
  return {
    type: 'object',
    properties: Object.fromEntries(fields.map((field) => [field, { type: 'string', maxLength: 256 }])),
    additionalProperties: false,
  };
}

export type PageKit = ReturnType<typeof createPageKit>;

/** Builds the page helpers for one wallet app. */
export function createPageKit(options: PageKitOptions) {
  const { context, sessions, operator_name, secure_cookies } = options;
  const cookie_name = options.cookie_name ?? SESSION_COOKIE;

  function setSessionCookie(reply: FastifyReply, cookie_value: string) {
    reply.setCookie(cookie_name, cookie_value, { path: '/', httpOnly: true, sameSite: 'lax', secure: secure_cookies, maxAge: SESSION_SECONDS_MAX });
  }

  const kit = {
    operator_name,

    /** Who is behind this request, as the wallet tells the bank: the browser's address and its device id. */
    endUser(request: FastifyRequest): WalletEndUser {
      return options.devices.endUserOf(request);
    },

    frame(title: string, signed_in?: SignedIn | null): PageFrame {
      return signed_in
        ? { operator_name, title, user_name: signed_in.user.name, csrf_token: signed_in.form_token }
        : { operator_name, title };
    },

    /**
     * Sends a page; its security headers (no frames, no caching, no script) come from createHttpApp. Forms post
     * only to the wallet, plus `form_targets`: origins a form's answer may redirect to (the bank, for the hardened link).
     */
    sendPage(reply: FastifyReply, status: number, page: string, form_targets: readonly string[] = []) {
      allowFormTargets(reply, form_targets);
      return reply.status(status).header('content-type', 'text/html; charset=utf-8').send(page);
    },

    redirect(reply: FastifyReply, location: string) {
      return reply.status(303).header('location', location).send();
    },

    /** A page that only says why not. */
    sendRefusal(reply: FastifyReply, failure: WalletFailure, next: { href: string; text: string }, signed_in?: SignedIn | null) {
      const page = renderMessagePage(kit.frame(errorCodes[failure.code].title, signed_in), { failure, next_href: next.href, next_text: next.text });
      return kit.sendPage(reply, failure.status ?? errorCodes[failure.code].status, page);
    },

    /** The live session behind the request's cookie, or null. */
    async session(request: FastifyRequest): Promise<WalletSession | null> {
      return sessions.find(request.cookies[cookie_name]);
    },

    /** The signed-in user, or null for a visitor (or a session whose user is gone). */
    async signedIn(request: FastifyRequest, reply: FastifyReply): Promise<SignedIn | null> {
      const session = await kit.session(request);
      if (!session) return null;
      const user = await findWalletUserById(context.db, session.user_id);
      return user ? { session, user, form_token: reply.formToken() } : null;
    },

    /** Starts a signed-in session in place of whatever the browser had (no session fixation). */
    async startSignedIn(request: FastifyRequest, reply: FastifyReply, user: WalletUser) {
      await sessions.close(request.cookies[cookie_name]);
      const opened = await sessions.open(user.id);
      setSessionCookie(reply, opened.cookie_value);
    },

    async endSession(request: FastifyRequest, reply: FastifyReply) {
      await sessions.close(request.cookies[cookie_name]);
      reply.clearCookie(cookie_name, { path: '/' });
    },

    /** For GET pages: the signed-in user, or a redirect to login (and null). */
    async requireUserOrRedirect(request: FastifyRequest, reply: FastifyReply): Promise<SignedIn | null> {
      const signed_in = await kit.signedIn(request, reply);
      if (!signed_in) await kit.redirect(reply, '/login');
      return signed_in;
    },

    /**
     * For form posts that need a user (the form's token was checked before this runs): the signed-in user, or
     * null after answering 401; nothing else runs.
     */
    async requireUserForm(request: FastifyRequest, reply: FastifyReply): Promise<SignedIn | null> {
      const signed_in = await kit.signedIn(request, reply);
      if (!signed_in) {
        await kit.sendRefusal(reply, walletFailure('wallet_unauthenticated', 'ログインしてください / Please log in'), { href: '/login', text: 'ログイン / Log in' });
        return null;
      }
      return signed_in;
    },

    /** Answers a form whose token is missing or wrong: 403 wallet_csrf_token_invalid, with a way back to the form. */
    async sendCsrfRefusal(request: FastifyRequest, reply: FastifyReply) {
      const signed_in = await kit.signedIn(request, reply);
      const back = request.url.split('?')[0] ?? '/';
      return kit.sendRefusal(
        reply,
        walletFailure('wallet_csrf_token_invalid', 'フォームの有効期限が切れました。読み込み直してください / The form has expired; reload it and try again'),
        { href: back === '/logout' || back.endsWith('/revoke') ? '/' : back, text: 'フォームを開き直す / Open the form again' },
        signed_in,
      );
    },

    /** The posted form, or an empty one if the body was not a form. */
    body(request: FastifyRequest): FormBody {
      const body = request.body;
      return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as FormBody) : {};
    },

    /** A posted field as text ('' if missing or not text), for showing back in a form. */
    field(request: FastifyRequest, name: string): string {
      return textField(kit.body(request)[name]) ?? '';
    },

    /** The schema refusal as a failure to show on the form, or undefined if the body passed. */
    schemaFailure(request: FastifyRequest): WalletFailure | undefined {
      const error = request.validationError;
      if (!error) return undefined;
      return walletFailure('validation_failed', `入力を確認してください / Check the form: ${error.message}`);
    },

    /** A fresh form-embedded id (payment, send, top-up). */
    nextId(): string {
      return context.ids.next();
    },
  };
  return kit;
}
