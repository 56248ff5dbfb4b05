import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { MigrationSet } from '../storage/migrate.ts';
import { migrate } from '../storage/migrate.ts';
import { createPgliteDatabase } from '../storage/pglite-database.ts';

/** The installed PGlite's version; its package exports no package.json, so it is read beside its entry point. */
const pgliteVersion = (JSON.parse(readFileSync(join(dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite')), '..', 'package.json'), 'utf8')) as { version: string }).version;

const made = new Map<string, Promise<Blob>>();

/**
 * PGlite cluster files named `name`, made once per test run and shared by every test process through a file in the
 * temp folder: each test file is a process of its own, and without it each would run PGlite's initdb and every
 * migration (seconds of CPU) for its first database. The name carries the PGlite version, since another version's
 * initdb makes other files. Written to a temporary name and renamed, so a process never reads half a file.
 */
function cachedClusterFiles(name: string, make: () => Promise<Blob>): Promise<Blob> {
  let files = made.get(name);
  if (!files) {
    const path = join(tmpdir(), `furikae-pglite-${pgliteVersion}-${name}.tar`);
    files = (async () => {
      if (existsSync(path)) return new Blob([readFileSync(path)]);
      const blob = await make();
      const partial = `${path}.${process.pid}`;
      writeFileSync(partial, Buffer.from(await blob.arrayBuffer()));
      renameSync(partial, path);
      return blob;
    })();
    made.set(name, files);
  }
  return files;
}

/** A fresh, empty PGlite cluster's files. */
export function pgliteTemplate(): Promise<Blob> {
  return cachedClusterFiles('fresh-cluster', async () => {
    const pg = await PGlite.create();
    try {
      return await pg.dumpDataDir('none');
    } finally {
      await pg.close();
    }
  });
}

/** The files of a PGlite cluster with `sets` applied; named after a hash of every migration file, so a changed migration makes new ones. */
export function migratedPgliteTemplate(sets: readonly MigrationSet[]): Promise<Blob> {
  const hash = createHash('sha256');
  for (const set of sets) {
    hash.update(`${set.name}\0`);
    for (const file of readdirSync(set.folder).sort()) hash.update(`${file}\0`).update(readFileSync(new URL(file, set.folder))).update('\0');
  }
  return cachedClusterFiles(`migrated-${hash.digest('hex').slice(0, 16)}`, async () => {
    const db = await createPgliteDatabase(undefined, { template: await pgliteTemplate() });
    try {
      await migrate(db, sets);
      return await db.dumpDataDir!();
    } finally {
      await db.close();
    }
  });
}
