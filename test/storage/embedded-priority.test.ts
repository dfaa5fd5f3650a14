/**
 * The embedded database's thread runs at a lower CPU priority than the rest of the process (ADR 0012), and the
 * threads it does not own - the event loop, libuv's pool - keep theirs. Linux keeps priorities per thread and lists
 * them under /proc/self/task; the test reads them there.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { embeddedSql } from '../../src/storage/embedded-sql.ts';

/** Each thread of this process: its name and nice value (field 19 of its stat line). */
function threads(): { name: string; nice: number }[] {
  return readdirSync('/proc/self/task').flatMap((tid) => {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return [{ name: readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim(), nice: Number(fields[16]) }];
    } catch {
      return []; // the thread ended while being read
    }
  });
}

describe.runIf(platform() === 'linux')('embedded database thread priority', () => {
  it('lowers the priority of the database thread only', async () => {
    expect(threads().filter((t) => t.nice !== 0)).toEqual([]);
    const sql = await embeddedSql(join(mkdtempSync(join(tmpdir(), 'cds-nice-')), 'db'));
    try {
      await sql.query('SELECT 1');
      const after = threads();
      // One thread more at nice 10 - the database's; libuv's pool (started for the data directory) stays at 0.
      expect(after.filter((t) => t.nice !== 0)).toEqual([{ name: 'WorkerThread', nice: 10 }]);
      expect(after.filter((t) => t.name.startsWith('libuv-worker')).length).toBeGreaterThan(0);
    } finally {
      await sql.close();
    }
  }, 60_000);
});
