import type { FastifyRequest } from 'fastify';
import * as oauth from 'oauth4webapi';
import { decodeJwt, type JWK } from 'jose';
import { FurikaeError } from '../errors/furikae-error.ts';
import { CHARGES_SCOPE } from './create-authorization-server.ts';

/** What a verified, DPoP-bound access token says about the request. */
export interface VerifiedAccessToken {
  link_id: string;
  client_id: string;
  /** The proof's jti and how long it stays replayable: recorded so a proof is used once. */
  dpop_jti: string;
  dpop_expires_at: Date;
}

/** How long a DPoP proof counts as fresh, and so how long its jti must be remembered (oidc-provider uses 300 s). */
export const DPOP_PROOF_WINDOW_SECONDS = 300;

const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** The public half of the authorization server's signing keys. */
export function publicJwks(jwks: { keys: JWK[] }): { keys: JWK[] } {
  return { keys: jwks.keys.map((key) => Object.fromEntries(Object.entries(key).filter(([name]) => !PRIVATE_JWK_MEMBERS.includes(name))) as JWK) };
}

/**
 * Verifies `Authorization: DPoP <JWT access token>` with its `DPoP` proof at the charge API, using panva's
 * oauth4webapi (RFC 9068 access tokens, RFC 9449 proofs): signature by the bank's authorization server,
 * audience = the bank API, the proof's key = the token's cnf.jkt, htm/htu = this request, ath = this token.
 * The htu expected is this request's path on the bank's configured public origin, never on the Host the
 * client sent: a proof captured for another origin does not verify here. The keys are handed over in process
 * rather than fetched, since both live in the same bank.
 */
export function createAccessTokenVerifier({ issuer, resource, public_url, jwks }: { issuer: string; resource: string; public_url: string; jwks: { keys: JWK[] } }) {
  const origin = new URL(public_url).origin;
  const as: oauth.AuthorizationServer = { issuer, jwks_uri: `${issuer}/jwks` };
  const keys = JSON.stringify(publicJwks(jwks));
  const fetchKeys = async (): Promise<Response> => new Response(keys, { headers: { 'content-type': 'application/json' } });

  return {
    /** True when the request presents a DPoP-scheme token rather than a legacy link credential. */
    presentsAccessToken(request: FastifyRequest): boolean {
      return /^DPoP /i.test(request.headers.authorization ?? '');
    },

    async verify(request: FastifyRequest): Promise<VerifiedAccessToken> {
      const headers = new Headers();
      for (const name of ['authorization', 'dpop']) {
        const value = request.headers[name];
        if (typeof value === 'string') headers.set(name, value);
      }
      // Only the path and query come from the request (an absolute-form target's own origin is dropped too).
      const target = new URL(request.url, origin);
      const url = `${origin}${target.pathname}${target.search}`;
      let claims: oauth.JWTAccessTokenClaims;
      try {
        claims = await oauth.validateJwtAccessToken(as, new Request(url, { method: request.method, headers }), resource, {
          requireDPoP: true,
          [oauth.customFetch]: fetchKeys as never,
          // Only the loopback demo and tests run on plain http; a deployment's https issuer keeps the check.
          [oauth.allowInsecureRequests]: issuer.startsWith('http:'),
        });
      } catch (error) {
        const message = error instanceof Error ? error.message : 'invalid';
        // A proof by another key shows as a confirmation (cnf.jkt) mismatch; anything else naming DPoP is the proof too.
        const aboutProof = /dpop|confirmation/i.test(message);
        throw new FurikaeError(aboutProof ? 'dpop_proof_invalid' : 'access_token_invalid', message);
      }
      const scopes = (claims.scope ?? '').split(' ');
      if (!scopes.includes(CHARGES_SCOPE) || typeof claims.link_id !== 'string') {
        throw new FurikaeError('access_token_invalid', 'The access token is not scoped to a link');
      }
      const proof = decodeJwt(String(request.headers.dpop));
      return {
        link_id: claims.link_id,
        client_id: claims.client_id,
        dpop_jti: String(proof.jti),
        dpop_expires_at: new Date(((proof.iat ?? 0) + DPOP_PROOF_WINDOW_SECONDS) * 1000),
      };
    },
  };
}

export type AccessTokenVerifier = ReturnType<typeof createAccessTokenVerifier>;
