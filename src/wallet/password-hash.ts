import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** Wallet login passwords: long enough to resist guessing, short enough that scrypt's input stays bounded. */
export const PASSWORD_CHARS_MIN = 8;
export const PASSWORD_CHARS_MAX = 128;

/** scrypt cost (N = 2^14, r = 8, p = 1): OWASP's floor, ~50 ms and 16 MiB per hash on this machine. */
const SCRYPT_COST = { N: 16_384, r: 8, p: 1 } as const;
const SCRYPT_KEY_BYTES = 32;
const SCRYPT_SALT_BYTES = 16;
/** Twice what N=2^14, r=8 needs (128·N·r = 16 MiB); node refuses anything above maxmem. */
const SCRYPT_MEMORY_BYTES_MAX = 64 * 1024 * 1024;

function deriveKey(password: string, salt: Buffer, cost: { N: number; r: number; p: number }): Promise<Buffer> {
  const options: ScryptOptions = { ...cost, maxmem: SCRYPT_MEMORY_BYTES_MAX };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, SCRYPT_KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** Hashes a password as `scrypt$N$r$p$salt$key` (base64url), with a fresh random salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SCRYPT_SALT_BYTES);
  const key = await deriveKey(password, salt, SCRYPT_COST);
  const { N, r, p } = SCRYPT_COST;
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64url')}$${key.toString('base64url')}`;
}

const STORED_HASH = /^scrypt\$(\d+)\$(\d+)\$(\d+)\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/;

/** True if `password` matches the stored hash; compares in constant time; a malformed hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const match = STORED_HASH.exec(stored);
  if (!match) return false;
  const [, N, r, p, salt, key] = match as unknown as [string, string, string, string, string, string];
  const cost = { N: Number(N), r: Number(r), p: Number(p) };
  // Only the cost we write is accepted, so a tampered row cannot make login burn unbounded CPU or memory.
  if (cost.N !== SCRYPT_COST.N || cost.r !== SCRYPT_COST.r || cost.p !== SCRYPT_COST.p) return false;
  const expected = Buffer.from(key, 'base64url');
  if (expected.length !== SCRYPT_KEY_BYTES) return false;
  const actual = await deriveKey(password, Buffer.from(salt, 'base64url'), cost);
  return timingSafeEqual(actual, expected);
}

/** A well-formed hash of a password nobody knows: login checks unknown e-mails against it so timing does not reveal who has an account. */
export const DECOY_PASSWORD_HASH = `scrypt$${SCRYPT_COST.N}$${SCRYPT_COST.r}$${SCRYPT_COST.p}$${'A'.repeat(22)}$${'A'.repeat(43)}`;
