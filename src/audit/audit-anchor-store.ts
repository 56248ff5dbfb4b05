import type { AuditAnchor } from './audit-anchor.ts';

/**
 * Where anchors are kept: anywhere the database's owner cannot write (a file on the bank's hosts, write-once
 * storage, a second store). Anchors are only ever appended.
 */
export interface AuditAnchorStore {
  /** Where the anchors are, for messages. */
  readonly location: string;
  /** Appends one anchor durably (synced before it returns). */
  append(anchor: AuditAnchor): Promise<void>;
  /** Every stored anchor as written, oldest first, unparsed: verification judges each line. */
  readLines(): Promise<string[]>;
}
