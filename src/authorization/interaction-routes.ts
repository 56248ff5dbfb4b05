import { linksSuspended } from '../operators/operator.ts';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errors, type default as Provider } from 'oidc-provider';
import { Type } from '@sinclair/typebox';
import type { BankServices } from '../bank-services.ts';
import type { SecondFactorKind } from '../mfa/second-factor.ts';
import { needsPasskeyOptions, type FactorChoice, type SecondFactorStep } from '../web/second-factor-step.ts';
import { interactionBinding } from '../web/passkey-scripts.ts';
import { PASSKEY_RESPONSE_CHARS_MAX } from '../mfa/passkeys.ts';
import type { SecondFactorProof, SecondFactorResult } from '../mfa/second-factor.ts';
import { PASSKEY_REFUSAL_STATUS, PASSKEY_REFUSAL_TEXT } from '../web/passkey-refusal-text.ts';

type SecondFactorResultCode = Extract<SecondFactorResult, { ok: false }>['code'];
import { html } from '../web/html.ts';
import { formatJapanDateTime, japanClock, japanDate } from '../shared/japan-time.ts';
import { verifyCustomerPassword } from '../bank/customer-login.ts';
import { SIGN_IN_REFUSAL_STATUS } from '../bank/credential-lock-text.ts';
import { verifyKycAttestation } from '../kyc/kyc-attestation.ts';
import { useKycAttestation } from '../kyc/kyc-attestation-uses.ts';
import { matchIdentity, IDENTITY_MATCH_SCORE_MIN } from '../kyc/identity-match.ts';
import { insertConsentedLink } from '../linking/consented-link.ts';
import { findRenewableLink, renewConsent, type ConsentRenewalRefusal, type RenewableLink } from '../linking/renew-consent.ts';
import { FurikaeError } from '../errors/furikae-error.ts';
import { allowFormTargets } from '../http/security-headers.ts';
import { enqueueLinkNotices } from '../notify/enqueue-link-notices.ts';
import { customerAccountLabel, maskAccountNumber } from '../linking/link.ts';
import { CHARGES_SCOPE, CONSENT_TTL_SECONDS, INTERACTION_TTL_SECONDS } from './create-authorization-server.ts';
import { consentPage, interactionMessagePage, loginPage, secondFactorPage } from './interaction-pages.ts';
import { authorizationErrorPage } from './authorization-error-page.ts';
import { INTERACTION_TEXT, type Lang } from './interaction-text.ts';
import { pageLang } from '../web/page-lang.ts';
import { errorCodes } from '../errors/error-codes.ts';
import { FACTOR_REFUSAL_TEXT } from '../mfa/factor-refusal-text.ts';
import { isFactorGateRefusal, type FactorGateRefusal } from '../mfa/factor-gate.ts';
import { FORM_TOKEN_CHARS_MAX, requireFormTokens } from '../http/form-csrf.ts';

interface InteractionState {
  uid: string;
  customer_id: string | null;
  password_verified: boolean;
}

interface Deps {
  services: BankServices;
  provider: Provider;
  issuer: string;
  resource: string;
}

/** What the operator reads after the stable code when a renewal is refused; the same for another customer's link and none at all. */
const RENEWAL_REFUSAL_TEXT: Record<ConsentRenewalRefusal, string> = {
  link_not_found: 'No such link for this operator and customer',
  link_revoked: 'The link was revoked; it cannot be renewed, link again instead',
  link_frozen: 'The link is frozen after the customer reported it; the bank must settle that first',
  link_not_renewable: 'Only a link made with consent at the bank (FAPI 2.0) can be renewed',
  identity_mismatch: 'The verified identity does not match the account holder',
};

/** Longest form field read on these pages. */
const FIELD_CHARS_MAX = 200;

const FormBody = Type.Object(
  {
    csrf: Type.Optional(Type.String({ maxLength: FORM_TOKEN_CHARS_MAX })),
    lang: Type.Optional(Type.String({ maxLength: 2 })),
    login_id: Type.Optional(Type.String({ maxLength: 64 })),
    password: Type.Optional(Type.String({ maxLength: 128 })),
    factor: Type.Optional(Type.Union([Type.Literal('totp'), Type.Literal('sms'), Type.Literal('passkey')])),
    code: Type.Optional(Type.String({ maxLength: 12 })),
    passkey_response: Type.Optional(Type.String({ maxLength: PASSKEY_RESPONSE_CHARS_MAX })),
    purpose: Type.Optional(Type.Union([Type.Literal('login'), Type.Literal('consent')])),
    decision: Type.Optional(Type.Union([Type.Literal('approve'), Type.Literal('deny')])),
    account_id: Type.Optional(Type.String({ format: 'uuid' })),
  },
  { additionalProperties: false },
);
type FormBody = {
  lang?: string; login_id?: string; password?: string; factor?: SecondFactorKind; code?: string; passkey_response?: string;
  purpose?: 'login' | 'consent'; decision?: 'approve' | 'deny'; account_id?: string;
};

/** What the page says when a second factor is refused: a typed code never says why; a passkey refusal does. */
function factorRefusalText(t: (typeof INTERACTION_TEXT)[Lang], lang: Lang, code: SecondFactorResultCode): string {
  if (code === 'second_factor_locked') return t.factor_locked;
  if (code === 'second_factor_failed') return t.factor_failed;
  return PASSKEY_REFUSAL_TEXT[code][lang];
}

/** The status of a refused second factor: as a failed sign-in for a code, the registry's for a passkey refusal. */
function factorRefusalStatus(code: SecondFactorResultCode): number {
  if (code === 'second_factor_locked') return SIGN_IN_REFUSAL_STATUS.second_factor_locked;
  if (code === 'second_factor_failed') return SIGN_IN_REFUSAL_STATUS.credential_invalid;
  return PASSKEY_REFUSAL_STATUS[code];
}

/**
 * What a browser on these pages gets when something fails: the authorization server's own errors (no interaction
 * cookie, an expired or finished interaction, a wrong uid) and malformed forms become the bank's error page with
 * their status, never a bare 500 or JSON. Anything else goes on to the app's problem handler.
 */
function interactionErrorHandler(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof errors.OIDCProviderError) {
    request.log.info({ err: error, error: error.error }, 'interaction refused by the authorization server');
    return reply.status(error.statusCode).type('text/html').send(authorizationErrorPage(error.error, error.error_description, pageLang(request)));
  }
  if ((error as FastifyError).validation) {
    return reply.status(400).type('text/html').send(authorizationErrorPage('invalid_request', 'The form was not filled in as expected.', pageLang(request)));
  }
  throw error;
}

/**
 * The bank's side of the FAPI 2.0 authorization: password login, second factor, and the consent that
 * creates the link. Every form carries a form token bound to oidc-provider's interaction cookie, which ties
 * the browser to the interaction; a missing or forged one is refused before anything else is read.
 */
export async function interactionRoutes(app: FastifyInstance, { services, provider, issuer, resource }: Deps): Promise<void> {
  requireFormTokens(app, (request, reply) => {
    const lang = pageLang(request);
    const frame = { uid: (request.params as { uid?: string }).uid ?? '', lang, form_token: reply.formToken() };
    return reply.status(403).type('text/html').send(interactionMessagePage(frame, INTERACTION_TEXT[lang].consent_title, INTERACTION_TEXT[lang].csrf_failed));
  });
  const { db, clock, ids, core, operators, secondFactors, factorGate, linkRisk } = services;

  async function stateFor(uid: string): Promise<InteractionState> {
    await db.query(
      `INSERT INTO interaction_states (uid, expires_at) VALUES ($1, $2) ON CONFLICT (uid) DO NOTHING`,
      [uid, new Date(clock.now().getTime() + INTERACTION_TTL_SECONDS * 1000)],
    );
    const [state] = await db.query<InteractionState>(`SELECT uid, customer_id, password_verified FROM interaction_states WHERE uid = $1`, [uid]);
    return state!;
  }

  /** The factors that may approve a link (both the sign-in and the consent make one): a stronger one shuts out SMS. */
  async function linkFactors(customer_id: string): Promise<FactorChoice[]> {
    return (await factorGate.choices(customer_id, 'link')).allowed.map((f) => ({ factor: f.factor, phone_masked: f.phone_masked }));
  }

  /** A factor refused before its code was read: the page says what to do instead, with the registry's status. */
  const refusedFactor = (request: FastifyRequest, reply: FastifyReply, lang: Lang, code: FactorGateRefusal, method?: string) =>
    render(request, reply, lang, { error: FACTOR_REFUSAL_TEXT[code][lang] }, errorCodes[code].status, method);

  /** The page's second-factor step: the customer's methods, the one asked for, and the live SMS code for `purpose`. */
  async function factorStep(frame: { uid: string; lang: Lang; form_token: string }, customer_id: string, purpose: 'login' | 'consent', asked: string | undefined): Promise<SecondFactorStep> {
    const step: SecondFactorStep = {
      lang: frame.lang,
      factors: await linkFactors(customer_id),
      asked,
      method_href: (factor) => `/interaction/${frame.uid}?lang=${frame.lang}&method=${factor}`,
      sms_sent: await secondFactors.smsCodeSent(customer_id, purpose),
      send: {
        action: `/interaction/${frame.uid}/sms`,
        hidden: html`<input type="hidden" name="csrf" value="${frame.form_token}"><input type="hidden" name="lang" value="${frame.lang}"><input type="hidden" name="purpose" value="${purpose}">`,
      },
    };
    if (needsPasskeyOptions(step)) step.passkey_options = await secondFactors.passkeyOptions(customer_id, purpose, interactionBinding(frame.uid));
    return step;
  }

  /** The proof a form carries for `purpose`: a typed code, or a passkey answer to a challenge issued on this interaction. */
  function proofOf(body: FormBody, factor: SecondFactorKind, purpose: 'login' | 'consent', uid: string): SecondFactorProof {
    if (factor === 'passkey') return { factor, response: body.passkey_response ?? '', purpose, bound_to: interactionBinding(uid) };
    return factor === 'sms' ? { factor, code: body.code ?? '', purpose } : { factor, code: body.code ?? '' };
  }

  /** Each factor's RFC 8176 authentication method reference: a passkey is a proof of possession of a key ('hwk'). */
  const AMR: Record<SecondFactorKind, string> = { totp: 'otp', sms: 'sms', passkey: 'hwk' };

  async function consentModel(customer_id: string, client_id: string, kyc_jws: unknown, renewal?: Extract<RenewableLink, { ok: true }>) {
    const operator = (await operators.clientRegistration(client_id))!;
    // A renewal is about the link's own account and limits: the customer cannot move it to another account.
    const accounts = (await core.accountsOf(customer_id)).filter((account) => !renewal || account.id === renewal.account_id);
    const attested = typeof kyc_jws === 'string' && operator.jwks
      ? await verifyKycAttestation(kyc_jws, { jwks: operator.jwks as never, client_id, audience: issuer, now: clock.now(), level_min: operator.kyc_level_min })
      : undefined;
    return {
      operator,
      model: {
        operator_name: operator.display_name,
        accounts: accounts.map((account) => ({
          id: account.id,
          label: { ja: customerAccountLabel(account.branch_code, maskAccountNumber(account.account_number)), en: `Branch ${account.branch_code}, ordinary ${maskAccountNumber(account.account_number)}` },
        })),
        charge_yen_max: renewal?.charge_yen_max ?? operator.charge_yen_max,
        charges_yen_per_month_max: renewal?.charges_yen_per_month_max ?? operator.charges_yen_per_month_max,
        ...(renewal ? { renewal: {
          consent_ends: renewal.consent_expires_at ? formatJapanDateTime(renewal.consent_expires_at) : null,
          expired: renewal.consent_expires_at !== null && renewal.consent_expires_at <= clock.now(),
        } } : {}),
        kyc: attested?.ok ? { level: attested.attestation.kyc.level, name_kana: attested.attestation.kyc.name_kana } : undefined,
        consent_expires: japanDate(new Date(clock.now().getTime() + CONSENT_TTL_SECONDS * 1000)),
      },
    };
  }

  /**
   * These pages' forms end, through the authorization server, in a redirect to the operator's registered
   * redirect URI (approval, refusal, a login that fails the request): the CSP's form-action must allow its origin.
   */
  function allowRedirectToOperator(reply: FastifyReply, details: Awaited<ReturnType<Provider['interactionDetails']>>) {
    const redirect_uri = URL.parse(String(details.params.redirect_uri ?? ''));
    if (redirect_uri) allowFormTargets(reply, [redirect_uri.origin]);
  }

  /**
   * The link the operator asked to renew (the `link_id` of its pushed request), checked for the signed-in customer:
   * undefined when the request makes a new link. The authorization server checked it for the client at PAR already;
   * this is the check for the customer, and it runs again under lock when the renewal is written.
   */
  async function renewalFor(details: Awaited<ReturnType<Provider['interactionDetails']>>, customer_id: string): Promise<RenewableLink | undefined> {
    const link_id = details.params.link_id;
    if (typeof link_id !== 'string') return undefined;
    const operator = await operators.clientRegistration(String(details.params.client_id));
    if (!operator) return { ok: false, code: 'link_not_found' };
    return findRenewableLink(db, { link_id, operator_id: operator.id, customer_id });
  }

  /** Sends the browser back to the operator with access_denied and the stable code of why a renewal was refused. */
  async function refuseRenewal(request: FastifyRequest, reply: FastifyReply, details: Awaited<ReturnType<Provider['interactionDetails']>>, customer_id: string, code: ConsentRenewalRefusal) {
    request.log.info({ client_id: details.params.client_id, customer_id, link_id: details.params.link_id, code }, 'renewal refused at consent');
    return finish(request, reply, { error: 'access_denied', error_description: `${code}: ${RENEWAL_REFUSAL_TEXT[code]}` });
  }

  /** Shows whichever step the interaction is at. */
  async function render(request: FastifyRequest, reply: FastifyReply, lang: Lang, message?: { error?: string; info?: string }, status = 200, method?: string) {
    const details = await provider.interactionDetails(request.raw, reply.raw);
    const state = await stateFor(details.uid);
    const frame = { uid: details.uid, lang, form_token: reply.formToken() };
    const t = INTERACTION_TEXT[lang];
    allowRedirectToOperator(reply, details);
    reply.status(status).type('text/html');
    if (details.prompt.name === 'login') {
      if (!state.password_verified || !state.customer_id) return reply.send(loginPage(frame, message?.error));
      const step = await factorStep(frame, state.customer_id, 'login', method);
      if (step.factors.length === 0) {
        const refused = (await factorGate.choices(state.customer_id, 'link')).refused.length > 0;
        return reply.send(interactionMessagePage(frame, t.mfa_title, refused ? FACTOR_REFUSAL_TEXT.second_factor_not_allowed[lang] : t.no_factor));
      }
      return reply.send(secondFactorPage(frame, step, message));
    }
    const customer_id = details.session!.accountId;
    const renewal = await renewalFor(details, customer_id);
    if (renewal && !renewal.ok) return refuseRenewal(request, reply, details, customer_id, renewal.code);
    const { model } = await consentModel(customer_id, String(details.params.client_id), details.params.kyc_attestation, renewal);
    return reply.send(consentPage(frame, model, await factorStep(frame, customer_id, 'consent', method), message));
  }

  /** Loads the interaction a form was posted to (its form token was checked before this runs). */
  async function loadForm(request: FastifyRequest<{ Body: FormBody }>, reply: FastifyReply) {
    const details = await provider.interactionDetails(request.raw, reply.raw);
    const state = await stateFor(details.uid);
    const lang = pageLang(request, reply);
    return { details, state, lang, t: INTERACTION_TEXT[lang] };
  }

  /**
   * Writes an approved renewal (src/linking/renew-consent.ts): a new grant for the same link, the consent's new end,
   * the notices. Link risk is not asked again: no new link is made, and the customer has just signed in and approved
   * with a second factor at the bank for exactly this operator and account.
   */
  async function renew(request: FastifyRequest, reply: FastifyReply, input: Omit<Parameters<typeof renewConsent>[2], 'grant_id' | 'consent_expires_at'> & { client_id: string }) {
    const grant = new provider.Grant({ accountId: input.customer_id, clientId: input.client_id });
    grant.addOIDCScope(`openid offline_access ${CHARGES_SCOPE}`);
    grant.addResourceScope(resource, CHARGES_SCOPE);
    const grant_id = await grant.save();
    const renewed = await db.transaction((tx) => renewConsent(tx, { clock, ids }, {
      ...input, grant_id, consent_expires_at: new Date(clock.now().getTime() + CONSENT_TTL_SECONDS * 1000),
    }));
    if (!renewed.ok) {
      await grant.destroy();
      request.log.info({ client_id: input.client_id, customer_id: input.customer_id, link_id: input.link_id, code: renewed.code }, 'renewal refused at consent');
      return finish(request, reply, { error: 'access_denied', error_description: `${renewed.code}: ${RENEWAL_REFUSAL_TEXT[renewed.code]}` });
    }
    request.log.info({ link_id: renewed.link_id, operator_id: input.operator_id, consent_expires_at: renewed.consent_expires_at }, 'consent renewed');
    return finish(request, reply, { consent: { grantId: grant_id } });
  }

  /** Hands the result to the authorization server and sends the browser back to it; errors still reach the page handler. */
  const finish = async (request: FastifyRequest, reply: FastifyReply, result: Parameters<Provider['interactionResult']>[2]) => {
    const returnTo = await provider.interactionResult(request.raw, reply.raw, result, { mergeWithLastSubmission: false });
    return reply.redirect(returnTo, 303);
  };

  await app.register(async (scope) => {
    scope.setErrorHandler(interactionErrorHandler);
    scope.get<{ Params: { uid: string }; Querystring: { lang?: string; method?: string } }>('/interaction/:uid', async (request, reply) =>
      render(request, reply, pageLang(request, reply), undefined, 200, request.query.method));

    scope.post<{ Params: { uid: string }; Body: FormBody }>('/interaction/:uid/login', { schema: { body: FormBody } }, async (request, reply) => {
      const form = await loadForm(request, reply);
      const login_id = request.body.login_id ?? '';
      const login = await verifyCustomerPassword(services, { login_id, password: request.body.password ?? '', source_ip: request.ip });
      if (!login.ok) {
        const error = { credential_invalid: form.t.login_failed, credential_attempts_locked: form.t.login_locked, too_many_attempts: form.t.too_many_attempts }[login.code];
        return render(request, reply, form.lang, { error }, SIGN_IN_REFUSAL_STATUS[login.code]);
      }
      await db.query(`UPDATE interaction_states SET customer_id = $2, password_verified = true WHERE uid = $1`, [form.details.uid, login.customer.id]);
      return render(request, reply, form.lang);
    });

    scope.post<{ Params: { uid: string }; Body: FormBody }>('/interaction/:uid/sms', { schema: { body: FormBody } }, async (request, reply) => {
      const form = await loadForm(request, reply);
      const customer_id = form.state.customer_id ?? form.details.session?.accountId;
      if (!customer_id) return render(request, reply, form.lang, { error: form.t.login_failed }, 401);
      const purpose = request.body.purpose ?? 'login';
      const operator = await operators.clientRegistration(String(form.details.params.client_id));
      const name = operator?.display_name ?? '';
      const permitted = await factorGate.permit(customer_id, 'link', 'sms', operator ? { operator_id: operator.id } : {});
      if (!permitted.ok) return refusedFactor(request, reply, form.lang, permitted.code, 'sms');
      const sent = await secondFactors.sendSmsCode(customer_id, purpose, purpose === 'consent'
        ? { ja: `${name}との口座連携の承認`, en: `approving a link of your account to ${name}` }
        : { ja: `${name}との口座連携のためのログイン`, en: `signing in to link your account to ${name}` });
      if (sent.ok) return render(request, reply, form.lang, undefined, 200, 'sms');
      if (sent.code === 'second_factor_locked') return render(request, reply, form.lang, { error: form.t.factor_locked }, 423, 'sms');
      return render(request, reply, form.lang, { error: `${form.t.sms_too_soon} ${japanClock(sent.resend_at)}` }, 429, 'sms');
    });

    scope.post<{ Params: { uid: string }; Body: FormBody }>('/interaction/:uid/mfa', { schema: { body: FormBody } }, async (request, reply) => {
      const form = await loadForm(request, reply);
      const { state } = form;
      if (!state.password_verified || !state.customer_id || !request.body.factor) return render(request, reply, form.lang, { error: form.t.login_failed }, 401);
      const result = await factorGate.verify(state.customer_id, 'link', proofOf(request.body, request.body.factor, 'login', state.uid));
      if (!result.ok) {
        const { code } = result;
        if (isFactorGateRefusal(code)) return refusedFactor(request, reply, form.lang, code, request.body.factor);
        return render(request, reply, form.lang, { error: factorRefusalText(form.t, form.lang, code) }, factorRefusalStatus(code), request.body.factor);
      }
      await db.query(`DELETE FROM interaction_states WHERE uid = $1`, [state.uid]);
      return finish(request, reply, { login: { accountId: state.customer_id, acr: 'urn:furikae:acr:mfa', amr: ['pwd', AMR[result.factor]], remember: false } });
    });

    scope.post<{ Params: { uid: string }; Body: FormBody }>('/interaction/:uid/consent', { schema: { body: FormBody } }, async (request, reply) => {
      const form = await loadForm(request, reply);
      const { details, t } = form;
      const customer_id = details.session?.accountId;
      if (details.prompt.name !== 'consent' || !customer_id) return render(request, reply, form.lang, { error: t.login_failed }, 400);
      const client_id = String(details.params.client_id);
      if (request.body.decision !== 'approve') {
        return finish(request, reply, { error: 'access_denied', error_description: 'The customer declined the link' });
      }
      const renewal = await renewalFor(details, customer_id);
      if (renewal && !renewal.ok) return refuseRenewal(request, reply, details, customer_id, renewal.code);
      const { operator, model } = await consentModel(customer_id, client_id, details.params.kyc_attestation, renewal);
      const account = model.accounts.find((candidate) => candidate.id === request.body.account_id);
      if (!account || !request.body.factor) return render(request, reply, form.lang, { error: t.factor_failed }, 400);
      // Asked before the code is compared, so a carrier that cannot answer spends no code.
      const sim = request.body.factor === 'sms' ? await factorGate.simChangedAt(customer_id) : { ok: true as const, at: null };
      if (!sim.ok) return refusedFactor(request, reply, form.lang, sim.code, 'sms');
      const approval = await factorGate.verify(customer_id, 'link', proofOf(request.body, request.body.factor, 'consent', details.uid), { operator_id: operator.id });
      if (!approval.ok) {
        const { code } = approval;
        if (isFactorGateRefusal(code)) return refusedFactor(request, reply, form.lang, code, request.body.factor);
        return render(request, reply, form.lang, { error: factorRefusalText(t, form.lang, code) }, factorRefusalStatus(code), request.body.factor);
      }

      const refuse = (code: string, description: string, staff_only: Record<string, unknown> = {}) => {
        request.log.info({ client_id, customer_id, code, ...staff_only }, 'link refused at consent');
        return finish(request, reply, { error: 'access_denied', error_description: `${code}: ${description}` });
      };
      if (!operator.link_methods_allowed.includes('fapi2')) return refuse('link_method_not_allowed', 'The operator may not link');
      if (linksSuspended(operator)) return refuse('new_links_suspended', 'New links to this operator are suspended');
      const attestation = await verifyKycAttestation(String(details.params.kyc_attestation ?? ''), {
        jwks: operator.jwks as never, client_id, audience: issuer, now: clock.now(), level_min: operator.kyc_level_min,
      });
      if (!attestation.ok) return refuse(attestation.code, attestation.detail);
      // Spent as soon as it verifies at an approval, whatever follows: a captured attestation never links twice.
      if (await useKycAttestation(db, attestation.attestation, clock.now()) === 'replayed') {
        return refuse('kyc_attestation_replayed', 'This KYC attestation was already used; sign a fresh one for each link');
      }
      const customer = (await core.getCustomer(customer_id))!;
      const identity = matchIdentity(attestation.attestation.kyc, customer);
      if (identity.score < IDENTITY_MATCH_SCORE_MIN) {
        // One refusal whatever differed: naming the field would tell a thief which half of a forged identity to fix.
        // The reasons stay on the bank's side, in the log line staff read.
        return refuse('identity_mismatch', 'The verified identity does not match the account holder', { identity_reasons: identity.reasons });
      }
      if (renewal) return renew(request, reply, { operator_id: operator.id, client_id, customer_id, link_id: renewal.link_id, factor: approval.factor, attestation: attestation.attestation, identity });

      let assessment;
      try {
        assessment = await linkRisk.assess({
          operator_id: operator.id, charge_yen_max: operator.charge_yen_max, account_id: account.id, method: 'fapi2',
          // The customer's own browser posts this page, so its address is the end user's; the device is the operator's
          // word, from the pushed request (checked there).
          kyc_level: attestation.attestation.kyc.level, identity_match_score: identity.score, source_ip: request.ip,
          device_id: typeof details.params.device_id === 'string' ? details.params.device_id : null,
          wallet_subject: attestation.attestation.sub,
        });
      } catch (error) {
        if (error instanceof FurikaeError && error.code === 'link_denied') return refuse('link_denied', 'The bank declined this link');
        throw error;
      }

      const grant = new provider.Grant({ accountId: customer_id, clientId: client_id });
      grant.addOIDCScope(`openid offline_access ${CHARGES_SCOPE}`);
      grant.addResourceScope(resource, CHARGES_SCOPE);
      const grant_id = await grant.save();
      // The customer's notice commits with the link, or neither does.
      const link = await db.transaction(async (tx) => {
        const inserted = await insertConsentedLink(tx, { clock, ids }, {
          operator, account_id: account.id, grant_id, factor: approval.factor, sms_sim_changed_at: approval.factor === 'sms' ? sim.at : null, attestation: attestation.attestation, identity,
          consent_expires_at: new Date(clock.now().getTime() + CONSENT_TTL_SECONDS * 1000),
        });
        await enqueueLinkNotices(tx, { ids, clock }, inserted.id);
        await linkRisk.record(tx, assessment, inserted.id);
        return inserted;
      });
      request.log.info({ link_id: link.id, operator_id: operator.id, identity_score: identity.score }, 'link consented');
      return finish(request, reply, { consent: { grantId: grant_id } });
    });
  });
}
