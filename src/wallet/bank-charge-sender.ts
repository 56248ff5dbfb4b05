import type { BankCharge } from './bank-client.ts';
import type { WalletBankLink } from './wallet-bank-links.ts';
import type { WalletEndUser } from './wallet-devices.ts';

/** One charge as the wallet asks for it; the idempotency key makes a retry safe. */
export interface BankChargeRequest {
  idempotency_key: string;
  amount_yen: number;
  description?: string;
  /** The user behind the top-up, relayed to the bank (PSU-IP-Address, X-Device-Id) for its risk rules. */
  end_user?: WalletEndUser;
}

/**
 * How a charge reaches the bank with a link's own credential: the 2020 link token as a bearer (legacy mode), or a
 * DPoP-bound access token with a fresh proof per request (hardened mode). Throws BankError for a refusal and
 * wallet_bank_unreachable when no answer came, so top-ups treat both kinds of link alike.
 */
export interface BankChargeSender {
  /** POST /v1/charges; `replayed` is true when the bank answered from its idempotency record. */
  send(link: WalletBankLink, request: BankChargeRequest): Promise<{ charge: BankCharge; replayed: boolean }>;
}
