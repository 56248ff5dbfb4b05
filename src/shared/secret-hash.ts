import { randomBytes, scrypt, timingSafeEqual, createHash, type ScryptOptions } from 'node:crypto';

/**
 * scrypt cost for PINs, passwords and one-time codes: N=2^15, r=8 takes 78 ms of CPU and 32 MiB here (with the
 * allocator setting in bin/process-env.js), which makes an offline search of all 10,000 four-digit PINs cost minutes
 * per stolen hash instead of microseconds.
 */
export const SCRYPT_N = 2 ** 15;

/**
 * `npm test` sets this to `1` for its test processes and everything they start (scripts/test.ts), and only then are
 * secrets hashed at N=2^10: the same scrypt and the same code path, 32 times cheaper, because most tests hash a PIN,
 * a password or a code, the lab tests hundreds, and their strength is not what they test. A hash records its cost
 * and only the active cost verifies, so a hash made at the test cost never verifies in a bank without the variable.
 * `furikae serve` refuses to start while it is set (src/config.ts).
 */
export const TEST_HASH_COST_ENV = 'FURIKAE_TEST_HASH_COST';
const TEST_SCRYPT_N = 2 ** 10;

/** The scrypt cost N a process with this environment hashes and verifies at. */
export function scryptCost(env: NodeJS.ProcessEnv = process.env): number {
  return env[TEST_HASH_COST_ENV] === '1' ? TEST_SCRYPT_N : SCRYPT_N;
}

const SCRYPT_OPTIONS: ScryptOptions = { N: scryptCost(), r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;

function scryptAsync(secret: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(secret.normalize('NFKC'), salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** Hashes a low-entropy secret (PIN, password) with a random salt: `scrypt$N$r$p$salt$key`. */
export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scryptAsync(secret, salt, SCRYPT_OPTIONS);
  const { N, r, p } = SCRYPT_OPTIONS;
  return ['scrypt', N, r, p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Checks a secret against a stored hash in constant time. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, N, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !N || !r || !p || !salt || !key) return false;
  // Only the cost this code writes is accepted, so a tampered row can neither weaken the hash nor make a check burn
  // unbounded CPU and memory.
  if (Number(N) !== SCRYPT_OPTIONS.N || Number(r) !== SCRYPT_OPTIONS.r || Number(p) !== SCRYPT_OPTIONS.p) return false;
  const expected = Buffer.from(key, 'base64url');
  if (expected.length !== KEY_BYTES) return false;
  const actual = await scryptAsync(secret, Buffer.from(salt, 'base64url'), SCRYPT_OPTIONS);
  return timingSafeEqual(actual, expected);
}

/**
 * A hash with the real cost for comparisons against accounts that do not exist,
 * so a wrong account number takes as long to refuse as a wrong PIN.
 */
export const DECOY_SECRET_HASH = await hashSecret('decoy');

/** SHA-256 of a high-entropy token (API secrets, link tokens): fast is fine when guessing is hopeless. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** A new random token with a readable prefix, e.g. `lk_…` (256 bits). */
export function newToken(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}
