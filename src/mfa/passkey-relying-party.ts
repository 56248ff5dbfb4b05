import type { PasskeyRelyingParty } from './passkey.ts';

/** The name browsers show while creating a passkey for the bank. */
export const PASSKEY_RP_NAME = 'ふりかえ銀行 Furikae Bank';

/**
 * The relying party passkeys are made for: the bank's public origin (FURIKAE_PUBLIC_URL) and an RP id that is its
 * host or a parent domain of it (FURIKAE_PASSKEY_RP_ID; the host when unset). A passkey is bound to the RP id for
 * life, so a deployment that may later serve from `www.bank.example` and `bank.example` names `bank.example`.
 */
export function passkeyRelyingParty(public_url: string, rp_id_configured?: string): PasskeyRelyingParty {
  const origin = new URL(public_url).origin;
  const host = new URL(public_url).hostname;
  const rp_id = (rp_id_configured ?? host).toLowerCase();
  if (!(host === rp_id || host.endsWith(`.${rp_id}`))) {
    throw new Error(`FURIKAE_PASSKEY_RP_ID (${rp_id}) must be the public origin's host (${host}) or a parent domain of it`);
  }
  return { rp_id, origin, rp_name: PASSKEY_RP_NAME };
}
