import { fsyncSync, openSync, closeSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { NodeFS } from '@electric-sql/pglite/nodefs';

/**
 * How PGlite is made to sync on commit, and why it needs help. Found in @electric-sql/pglite 0.5 under Node:
 * - PGlite starts PostgreSQL with `-F`, i.e. `fsync = off`, so PostgreSQL never asks for a sync;
 * - its Node filesystem (Emscripten's NODEFS) writes each page straight to the OS with writeSync, which is why
 *   a `kill -9` loses nothing, but it implements no `fsync` (the stream has no such operation) and `fdatasync`
 *   is an empty stub, so even with `fsync = on` nothing would reach the disk: a power cut loses what the
 *   page cache held, acknowledged charges included;
 * - `relaxedDurability` only decides whether a query waits for PGlite's copy to IndexedDB or OPFS in a browser;
 *   under Node it changes nothing.
 * So: start without `-F`, choose `wal_sync_method = fsync` (the one method Emscripten routes to the file
 * system's fsync), and give NODEFS an fsync that calls the host's fsync(2) on the real file. PostgreSQL then
 * syncs the WAL before it answers each COMMIT, and data files and directories at each checkpoint, exactly as
 * on a server. The batching writer commits many charges per transaction, so it costs one fsync per batch.
 */
export const PGLITE_DURABLE_START_PARAMS = [
  ...PGlite.defaultStartParams.filter((param) => param !== '-F'),
  '-c', 'fsync=on',
  '-c', 'wal_sync_method=fsync',
  '-c', 'synchronous_commit=on',
  '-c', 'full_page_writes=on',
];

/** Emscripten's view of one open file on NODEFS: `nfd` is the host's file descriptor. */
interface NodefsStream {
  nfd: number;
}

/** A PGlite filesystem on a host folder whose fsync reaches the disk; `fsync` is the host call (tests count it). */
export class DurableNodeFS extends NodeFS {
  readonly #fsync: (fd: number) => void;

  constructor(data_dir: string, fsync: (fd: number) => void = fsyncSync) {
    super(data_dir);
    this.#fsync = fsync;
  }

  override async init(...args: Parameters<NodeFS['init']>): ReturnType<NodeFS['init']> {
    const { emscriptenOpts } = await super.init(...args);
    const fsync = this.#fsync;
    const installFsync = (mod: { NODEFS: { stream_ops?: Record<string, unknown> } }) => {
      const stream_ops = mod.NODEFS.stream_ops;
      // If a PGlite upgrade moves this, refuse to start rather than run silently unsynced.
      if (!stream_ops || typeof stream_ops.write !== 'function') throw new Error('PGlite NODEFS has no stream_ops: cannot make commits durable');
      stream_ops.fsync = (stream: NodefsStream) => {
        fsync(stream.nfd);
        return 0;
      };
    };
    return { emscriptenOpts: { ...emscriptenOpts, preRun: [...(emscriptenOpts.preRun ?? []), installFsync as never] } };
  }
}

/**
 * Syncs every file and folder under `dir`, as `initdb --sync-only` does: PGlite copies a new data folder into
 * place without syncing it, so a fresh database is made durable once before it takes its first commit.
 */
export function syncTree(dir: string, fsync: (fd: number) => void = fsyncSync): void {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) syncTree(path, fsync);
    else if (entry.isFile()) syncPath(path, fsync);
  }
  syncPath(dir, fsync);
}

function syncPath(path: string, fsync: (fd: number) => void): void {
  const fd = openSync(path, 'r');
  try {
    fsync(fd);
  } finally {
    closeSync(fd);
  }
}
