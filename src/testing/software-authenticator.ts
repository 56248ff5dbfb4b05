import { createHash, createSign, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import type { AuthenticationResponseJSON, PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { isoCBOR } from '@simplewebauthn/server/helpers';

/** WebAuthn authenticator-data flags (WebAuthn L2 §6.1). */
const FLAG_USER_PRESENT = 0x01;
const FLAG_USER_VERIFIED = 0x04;
const FLAG_ATTESTED_CREDENTIAL = 0x40;

const b64url = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url');

/**
 * A software WebAuthn authenticator for fast server-side tests: an ES256 key made by node:crypto, answers built as
 * the WebAuthn spec lays them out ("none" attestation), and knobs a real one lacks (the origin it claims, user
 * verification off, the counter it reports) to produce the answers a phishing page or a cloned key would. The
 * browser tests drive Chromium's own virtual authenticator instead.
 */
export function createSoftwareAuthenticator(options: { origin: string; rp_id: string }) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const credential_id = randomBytes(32);
  let sign_count = 0;
  const rp_id_hash = createHash('sha256').update(options.rp_id).digest();

  const coseKey = (key: KeyObject) => {
    const jwk = key.export({ format: 'jwk' });
    return isoCBOR.encode(new Map<number, number | Uint8Array>([
      [1, 2], [3, -7], [-1, 1], [-2, Buffer.from(jwk.x!, 'base64url')], [-3, Buffer.from(jwk.y!, 'base64url')],
    ]));
  };

  const authenticatorData = (flags: number, count: number, attested?: Uint8Array) => {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(count);
    return Buffer.concat([rp_id_hash, Buffer.from([flags]), counter, ...(attested ? [attested] : [])]);
  };

  const clientData = (type: string, challenge: string, origin: string) => Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));

  return {
    credential_id: b64url(credential_id),

    /** Answers registration options as a platform authenticator would. */
    register(creation: PublicKeyCredentialCreationOptionsJSON, { origin = options.origin, user_verified = true } = {}): RegistrationResponseJSON {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(credential_id.length);
      const attested = Buffer.concat([Buffer.alloc(16), length, credential_id, coseKey(publicKey)]);
      const flags = FLAG_USER_PRESENT | (user_verified ? FLAG_USER_VERIFIED : 0) | FLAG_ATTESTED_CREDENTIAL;
      const attestationObject = isoCBOR.encode(new Map<string, unknown>([['fmt', 'none'], ['attStmt', new Map()], ['authData', authenticatorData(flags, sign_count, attested)]]) as never);
      return {
        id: b64url(credential_id), rawId: b64url(credential_id), type: 'public-key', clientExtensionResults: {}, authenticatorAttachment: 'platform',
        response: { clientDataJSON: b64url(clientData('webauthn.create', creation.challenge, origin)), attestationObject: b64url(attestationObject), transports: ['internal'] },
      };
    },

    /**
     * Answers assertion options, its counter one higher each time unless `sign_count` says what to report; `origin`
     * and `user_verified` make the answers a relaying site or a careless authenticator would.
     */
    assert(request: PublicKeyCredentialRequestOptionsJSON, { origin = options.origin, user_verified = true, sign_count: reported }: { origin?: string; user_verified?: boolean; sign_count?: number } = {}): AuthenticationResponseJSON {
      sign_count = reported ?? sign_count + 1;
      const data = authenticatorData(FLAG_USER_PRESENT | (user_verified ? FLAG_USER_VERIFIED : 0), sign_count);
      const client = clientData('webauthn.get', request.challenge, origin);
      const signature = createSign('sha256').update(Buffer.concat([data, createHash('sha256').update(client).digest()])).sign(privateKey);
      return {
        id: b64url(credential_id), rawId: b64url(credential_id), type: 'public-key', clientExtensionResults: {}, authenticatorAttachment: 'platform',
        response: { clientDataJSON: b64url(client), authenticatorData: b64url(data), signature: b64url(signature) },
      };
    },
  };
}

/** The WebAuthn options a bank page put in its passkey step's attribute (HTML-escaped there). */
export function passkeyOptionsIn(page: string) {
  const attribute = /data-passkey-options="([^"]*)"/.exec(page)?.[1];
  if (attribute === undefined) throw new Error('the page offers no passkey step');
  return JSON.parse(attribute.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&'));
}

export type SoftwareAuthenticator = ReturnType<typeof createSoftwareAuthenticator>;
