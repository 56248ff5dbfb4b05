import { createInterface } from 'node:readline';
import type { StaffDirectory, StaffUser } from '../staff/staff-directory.ts';
import { FurikaeError } from '../errors/furikae-error.ts';

/** Longest password line read: a passphrase, not a file. */
const PASSWORD_CHARS_MAX = 128;

/**
 * Reads a password: from the terminal with echo off when there is one, else the first line of standard input (for
 * scripts: `printf '%s\n' "$PASSWORD" | furikae incident …`). Never from an argument or the environment, where
 * it would sit in the shell history or the process table.
 */
export async function readPassword(prompt: string, input: NodeJS.ReadStream = process.stdin, output: NodeJS.WriteStream = process.stderr): Promise<string> {
  if (input.isTTY) {
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
  const lines = createInterface({ input, terminal: false });
  for await (const line of lines) {
    lines.close();
    return line.slice(0, PASSWORD_CHARS_MAX);
  }
  return '';
}

/**
 * The staff member a CLI command acts as: `--staff LOGIN` and their console password, checked as the login page
 * checks it, so the audit log names the right person and the role rules of the console apply. Wrong or missing:
 * staff_login_failed.
 */
export async function loginStaff(staff: StaffDirectory, login_id: string | undefined, password: () => Promise<string>): Promise<StaffUser> {
  if (!login_id) throw new FurikaeError('staff_login_failed', 'Say who you are: --staff LOGIN (your console login); the password is asked for');
  const member = await staff.authenticate(login_id, await password());
  if (!member) throw new FurikaeError('staff_login_failed');
  return member;
}
