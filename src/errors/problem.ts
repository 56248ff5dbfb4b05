import { errorCodes, type ErrorCode } from './error-codes.ts';

/** RFC 9457 problem details, with furikae's stable `code`. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  [extension: string]: unknown;
}

/** Builds the problem+json body for a code. */
export function toProblem(code: ErrorCode, detail: string, extensions: Record<string, unknown> = {}): Problem {
  const { status, title } = errorCodes[code];
  return { ...extensions, type: `https://furikae.example/errors/${code}`, title, status, code, detail };
}
