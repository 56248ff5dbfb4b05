import { createInterface } from 'node:readline';
import type { StaffUser } from '../staff/staff-directory.ts';
import { logInStaff } from '../staff/staff-login.ts';
import { FurikaeError } from '../errors/furikae-error.ts';

/** Longest password line read: a passphrase, not a file. */
const PASSWORD_CHARS_MAX = 128;

/** What the CLI uses as a login's source address: it has none, so its attempts are counted together, as one source. */
export const CLI_LOGIN_SOURCE = 'cli';

/** Reads one line from the terminal with echo off: a password or a code never shows on screen. */
function readHiddenLine(prompt: string, input: NodeJS.ReadStream, output: NodeJS.WriteStream): Promise<string> {
  output.write(prompt);
  input.setRawMode(true);
  input.resume();
  let typed = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return done(undefined);
        if (char === '\u0003') return done(new Error('cancelled'));
        if (char === '\u007f') typed = typed.slice(0, -1);
        else if (typed.length < PASSWORD_CHARS_MAX) typed += char;
      }
    };
    const done = (error: Error | undefined) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    input.on('data', onData);
  });
}

/**
 * Reads a staff member's password and authenticator code: from the terminal with echo off when there is one, else
 * the first two lines of standard input (for scripts: `printf '%s\n%s\n' "$PASSWORD" "$CODE" | furikae incident …`).
 * Never from an argument or the environment, where they would sit in the shell history or the process table.
 */
export async function readStaffCredentials(login_id: string, input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr): Promise<StaffCredentials> {
  if (input.isTTY) {
    const password = await readHiddenLine(`Password for ${login_id}: `, input, output);
    return { password, totp_code: await readHiddenLine('Authenticator code: ', input, output) };
  }
  const lines: string[] = [];
  for await (const line of createInterface({ input, terminal: false })) {
    lines.push(line.slice(0, PASSWORD_CHARS_MAX));
    if (lines.length === 2) break;
  }
  return { password: lines[0] ?? '', totp_code: lines[1] ?? '' };
}

/** A console login's two secrets, as typed. */
export interface StaffCredentials {
  password: string;
  totp_code: string;
}

/**
 * The staff member a CLI command acts as: `--staff LOGIN`, their console password and their authenticator code,
 * checked exactly as the console's login page checks them (logInStaff: the same throttle and lock, every attempt
 * audited), so the audit log names the right person and the console's role rules apply. Refused: the console's
 * code (staff_login_failed, too_many_attempts or credential_attempts_locked), never which part was wrong.
 */
export async function loginStaff(
  services: Parameters<typeof logInStaff>[0], login_id: string | undefined, credentials: () => Promise<StaffCredentials>,
): Promise<StaffUser> {
  if (!login_id) throw new FurikaeError('staff_login_failed', 'Say who you are: --staff LOGIN (your console login); the password and authenticator code are asked for');
  const result = await logInStaff(services, { login_id, ...(await credentials()), source_ip: CLI_LOGIN_SOURCE });
  if (!result.ok) throw new FurikaeError(result.code);
  return result.staff;
}
