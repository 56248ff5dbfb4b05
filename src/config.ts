import { FINGERPRINT_KEY_CHARS_MIN } from './throttle/secret-fingerprint.ts';
import { scryptCost, SCRYPT_N, TEST_HASH_COST_ENV } from './shared/secret-hash.ts';
import { NOT_ME_KEY_CHARS_MIN } from './notify/not-me-token.ts';
import { AUDIT_KEY_CHARS_MIN } from './audit/audit-log.ts';
import { isLoopbackHostname } from './shared/loopback.ts';
import { join } from 'node:path';
import { CAMPAIGN_SENDS_PER_SECOND_DEFAULT, CAMPAIGN_SENDS_PER_SECOND_MAX } from './outreach/campaign-notice-source.ts';
import { parseDatabaseHosts } from './storage/postgres-hosts.ts';

/** furikae's configuration: environment variables, parsed and checked once at start-up. */
export interface Config {
  /** `postgres://…` to run on a PostgreSQL server; unset for embedded PGlite. */
  database_url: string | undefined;
  /** Where PGlite keeps its files (bank/ and wallet/ beneath it). */
  data_dir: string;
  host: string;
  bank_port: number;
  /** The bank's origin as customers and operators reach it: the OAuth issuer and the API resource derive from it. */
  public_url: string;
  wallet_port: number;
  /** The hardened reference wallet's port: the demo runs it beside the 2020 one. */
  wallet_secure_port: number;
  /** The hardened wallet's origin as browsers reach it: the bank sends customers back to its /link/callback. */
  wallet_secure_public_url: string;
  /** The passkeys' RP id (FURIKAE_PASSKEY_RP_ID): the public origin's host, or a parent domain of it; unset, the host. */
  passkey_rp_id: string | undefined;
  /** LOG_LEVEL as given; unset, each command keeps its own default (serve: info; demo and the tools: warn). */
  log_level: string | undefined;
  /**
   * HMAC key for fingerprints of the PINs and passwords tried (src/throttle): the same in every process so
   * their counts agree, and kept out of the database so its attempts table cannot be searched for PINs.
   */
  credential_fingerprint_key: string;
  /** `smtp://host:port` (or smtps://user:pass@host) for customer notices by e-mail; unset: e-mails wait in the outbox. */
  smtp_url: string | undefined;
  /** The From of customer notices. */
  mail_from: string;
  /** HMAC key (HS256) for the "this wasn't me" links in notices: the same in every process, kept out of the database. */
  not_me_key: string;
  /** HMAC key of the staff audit chain (FURIKAE_AUDIT_KEY): the same in every bank process, kept out of the database. */
  audit_key: string;
  /** Where the bank anchors the audit chain's head (FURIKAE_AUDIT_ANCHOR_FILE): a file the database's owner cannot write. */
  audit_anchor_file: string;
  /** Where `furikae lab run` writes its report and the console's Lab page reads it. */
  lab_report_dir: string;
  /** Campaign e-mails per second across every bank process: the pace of bulk outreach behind ordinary notices. */
  campaign_sends_per_second: number;
  /** The SMS gateway's send endpoint (src/notify/http-sms-gateway.ts); `furikae serve` needs it, the demo simulates SMS. */
  sms_gateway_url: string | undefined;
  /** SECRET. The bearer token the SMS gateway issued to the bank. */
  sms_gateway_token: string | undefined;
  /** Where Prometheus scrapes /metrics: its own listener, loopback unless set, never the public port. */
  metrics_host: string;
  metrics_port: number;
}

/** The lab report's folder when FURIKAE_LAB_REPORT_DIR is unset: beside where furikae runs. */
export const LAB_REPORT_DIR_DEFAULT = './lab-report';

/** The key used when FURIKAE_CREDENTIAL_KEY is unset: public, so fit only for the demo and the lab. */
export const DEMO_CREDENTIAL_FINGERPRINT_KEY = 'furikae-demo-credential-key-not-for-production';

/** The key used when FURIKAE_NOT_ME_KEY is unset: public, so fit only for the demo and the lab. */
export const DEMO_NOT_ME_KEY = 'furikae-demo-not-me-key-not-for-production';

/** The key used when FURIKAE_AUDIT_KEY is unset: public, so fit only for the demo and the lab. */
export const DEMO_AUDIT_KEY = 'furikae-demo-audit-key-not-for-production';

/**
 * Every secret that has a public demo value, as (environment variable, demo value). `loadConfig` falls back to the
 * demo value when the variable is unset, so the demo and the lab run with no setup; `furikae serve` refuses to start
 * while any of them is unset or set to its demo value. A new secret with a demo default is one line here.
 */
export const DEMO_SECRETS = [
  { variable: 'FURIKAE_CREDENTIAL_KEY', demo_value: DEMO_CREDENTIAL_FINGERPRINT_KEY },
  { variable: 'FURIKAE_NOT_ME_KEY', demo_value: DEMO_NOT_ME_KEY },
  { variable: 'FURIKAE_AUDIT_KEY', demo_value: DEMO_AUDIT_KEY },
] as const satisfies readonly { variable: string; demo_value: string }[];

/** A variable of DEMO_SECRETS. */
export type DemoSecretVariable = (typeof DEMO_SECRETS)[number]['variable'];

/**
 * Settings `furikae serve` does not start without (besides DEMO_SECRETS): the demo stands in for each of them
 * (a loopback origin, the SMS simulator), production must name the real one.
 */
export const SERVE_REQUIRED_SETTINGS = [
  { variable: 'FURIKAE_PUBLIC_URL', why: 'the origin customers and operators reach the bank at (the OAuth issuer and the links in notices derive from it)' },
  { variable: 'SMS_GATEWAY_URL', why: 'where the bank sends text messages (login and consent codes, security notices); the demo only simulates SMS' },
  { variable: 'SMS_GATEWAY_TOKEN', why: 'the bearer token the SMS gateway issued to the bank' },
] as const;

/** Where Prometheus scrapes /metrics unless METRICS_PORT says otherwise: the Prometheus exporters' customary range. */
export const METRICS_PORT_DEFAULT = 9464;

/** The From of notices when FURIKAE_MAIL_FROM is unset. */
export const MAIL_FROM_DEFAULT = 'ふりかえ銀行 <notices@furikae-bank.example>';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** A secret of DEMO_SECRETS from the environment, or its public demo value when unset. */
function secretOrDemo(env: NodeJS.ProcessEnv, variable: DemoSecretVariable): string {
  return env[variable] || DEMO_SECRETS.find((secret) => secret.variable === variable)!.demo_value;
}

/**
 * What keeps `furikae serve` from starting, one line each: a secret of DEMO_SECRETS unset or set to its public demo
 * value, a setting of SERVE_REQUIRED_SETTINGS unset, or a public origin in plain http beyond this machine.
 */
export function serveSettingProblems(env: NodeJS.ProcessEnv): string[] {
  const problems: string[] = [];
  for (const { variable, demo_value } of DEMO_SECRETS) {
    if (!env[variable]) problems.push(`${variable} is unset, so the public demo key would be used`);
    else if (env[variable] === demo_value) problems.push(`${variable} is the public demo key`);
  }
  for (const { variable, why } of SERVE_REQUIRED_SETTINGS) {
    if (!env[variable]) problems.push(`${variable} is unset: ${why}`);
  }
  if (env.FURIKAE_PUBLIC_URL && env.FURIKAE_PUBLIC_URL.startsWith('http:') && !isLoopbackHostname(new URL(env.FURIKAE_PUBLIC_URL).hostname)) {
    problems.push('FURIKAE_PUBLIC_URL must be https:// beyond this machine: customers type passwords and codes into its pages');
  }
  if (scryptCost(env) !== SCRYPT_N) {
    problems.push(`${TEST_HASH_COST_ENV} is set: PINs, passwords and codes would be hashed at the test suite's cost, 32 times cheaper to guess offline`);
  }
  return problems;
}

function port(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) throw new Error(`${name} must be a port number, got ${value}`);
  return parsed;
}

/** Reads the configuration from `env`; throws one clear message for the first bad value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const database_url = env.DATABASE_URL || undefined;
  if (database_url && !/^postgres(ql)?:\/\//.test(database_url)) throw new Error('DATABASE_URL must start with postgres://');
  // A host list or target_session_attrs the bank cannot use is refused here, before anything opens.
  if (database_url) parseDatabaseHosts(database_url);
  const log_level = env.LOG_LEVEL || undefined;
  if (log_level !== undefined && !LOG_LEVELS.includes(log_level)) throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  const credential_fingerprint_key = secretOrDemo(env, 'FURIKAE_CREDENTIAL_KEY');
  if (credential_fingerprint_key.length < FINGERPRINT_KEY_CHARS_MIN) throw new Error(`FURIKAE_CREDENTIAL_KEY must be at least ${FINGERPRINT_KEY_CHARS_MIN} characters`);
  const host = env.HOST ?? '127.0.0.1';
  const bank_port = port('BANK_PORT', env.BANK_PORT, 3000);
  if (env.FURIKAE_PUBLIC_URL && !/^https?:\/\/[^/]+$/.test(env.FURIKAE_PUBLIC_URL.replace(/\/$/, ''))) {
    throw new Error('FURIKAE_PUBLIC_URL must be an origin like https://bank.example');
  }
  const smtp_url = env.SMTP_URL || undefined;
  if (smtp_url && !/^smtps?:\/\/[^/]+/.test(smtp_url)) throw new Error('SMTP_URL must look like smtp://host:port or smtps://user:password@host:port');
  const mail_from = env.FURIKAE_MAIL_FROM || MAIL_FROM_DEFAULT;
  if (!/^[^<>@]*<?[^\s<>@]+@[^\s<>@]+>?$/.test(mail_from)) throw new Error('FURIKAE_MAIL_FROM must be an address like Bank <notices@bank.example>');
  const not_me_key = secretOrDemo(env, 'FURIKAE_NOT_ME_KEY');
  if (not_me_key.length < NOT_ME_KEY_CHARS_MIN) throw new Error(`FURIKAE_NOT_ME_KEY must be at least ${NOT_ME_KEY_CHARS_MIN} characters`);
  const audit_key = secretOrDemo(env, 'FURIKAE_AUDIT_KEY');
  if (audit_key.length < AUDIT_KEY_CHARS_MIN) throw new Error(`FURIKAE_AUDIT_KEY must be at least ${AUDIT_KEY_CHARS_MIN} characters`);
  const data_dir = env.FURIKAE_DATA_DIR ?? './data';
  const campaign_sends_per_second = env.FURIKAE_CAMPAIGN_SENDS_PER_SECOND ? Number(env.FURIKAE_CAMPAIGN_SENDS_PER_SECOND) : CAMPAIGN_SENDS_PER_SECOND_DEFAULT;
  if (!Number.isInteger(campaign_sends_per_second) || campaign_sends_per_second < 1 || campaign_sends_per_second > CAMPAIGN_SENDS_PER_SECOND_MAX) {
    throw new Error(`FURIKAE_CAMPAIGN_SENDS_PER_SECOND must be a whole number from 1 to ${CAMPAIGN_SENDS_PER_SECOND_MAX}`);
  }
  const wallet_secure_port = port('WALLET_SECURE_PORT', env.WALLET_SECURE_PORT, 3002);
  if (env.WALLET_SECURE_PUBLIC_URL && !/^https?:\/\/[^/]+$/.test(env.WALLET_SECURE_PUBLIC_URL.replace(/\/$/, ''))) {
    throw new Error('WALLET_SECURE_PUBLIC_URL must be an origin like https://wallet.example');
  }
  const sms_gateway_url = env.SMS_GATEWAY_URL || undefined;
  if (sms_gateway_url && !URL.canParse(sms_gateway_url)) throw new Error('SMS_GATEWAY_URL must be a URL like https://sms.example/v1/messages');
  return {
    database_url,
    data_dir,
    host,
    bank_port,
    public_url: (env.FURIKAE_PUBLIC_URL || `http://${host}:${bank_port}`).replace(/\/$/, ''),
    wallet_port: port('WALLET_PORT', env.WALLET_PORT, 3001),
    wallet_secure_port,
    wallet_secure_public_url: (env.WALLET_SECURE_PUBLIC_URL || `http://${host}:${wallet_secure_port}`).replace(/\/$/, ''),
    passkey_rp_id: env.FURIKAE_PASSKEY_RP_ID || undefined,
    log_level,
    credential_fingerprint_key,
    smtp_url,
    mail_from,
    not_me_key,
    audit_key,
    audit_anchor_file: env.FURIKAE_AUDIT_ANCHOR_FILE || join(data_dir, 'audit-anchors.jsonl'),
    lab_report_dir: env.FURIKAE_LAB_REPORT_DIR || LAB_REPORT_DIR_DEFAULT,
    campaign_sends_per_second,
    sms_gateway_url,
    sms_gateway_token: env.SMS_GATEWAY_TOKEN || undefined,
    metrics_host: env.METRICS_HOST ?? '127.0.0.1',
    metrics_port: port('METRICS_PORT', env.METRICS_PORT, METRICS_PORT_DEFAULT),
  };
}
