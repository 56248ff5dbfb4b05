import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AuditAnchorStore } from './audit-anchor-store.ts';

/**
 * Anchors as JSON lines in one file, appended with O_APPEND and fsync: several bank processes may share it
 * (each line is one small write), and a line that is acknowledged survives a crash. Put the file where the
 * database's owner cannot write it.
 */
export function createFileAuditAnchorStore(path: string): AuditAnchorStore {
  return {
    location: path,
    async append(anchor) {
      await mkdir(dirname(path), { recursive: true });
      const file = await open(path, 'a', 0o640);
      try {
        await file.appendFile(`${JSON.stringify(anchor)}\n`, 'utf8');
        await file.sync();
      } finally {
        await file.close();
      }
    },
    async readLines() {
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
      return text.split('\n').filter((line) => line.trim() !== '');
    },
  };
}
