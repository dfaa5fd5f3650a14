/**
 * One process at a time in the embedded database's directory: a second open is refused while the first holds it
 * (in this process or another), a lock left by a process that is gone is taken over and said, and the lock file is
 * removed on close.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCK_FILE, lockDirectory, takeOverStale, type StaleLock } from '../../src/storage/directory-lock.ts';
import { embeddedSql } from '../../src/storage/embedded-sql.ts';

const directory = (): string => join(mkdtempSync(join(tmpdir(), 'cds-lock-')), 'db');

/** A lock file as a process with this pid would have left it. */
function lockedBy(dir: string, pid: number): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, LOCK_FILE);
  writeFileSync(path, `${pid}\n`);
  return path;
}

describe('embedded database lock', () => {
  it('refuses a second open of the same directory while the first holds it, and frees it on close', async () => {
    const dir = directory();
    const first = await embeddedSql(dir);
    try {
      expect(readFileSync(join(dir, LOCK_FILE), 'utf8').split('\n')[0]).toBe(String(process.pid));
      // However the directory is spelled.
      await expect(embeddedSql(`${dir}/`)).rejects.toThrow(
        new RegExp(`embedded database under .* is in use by process ${process.pid}`),
      );
      // And twice at once: one of them opens.
      const other = directory();
      const both = await Promise.allSettled([embeddedSql(other), embeddedSql(other)]);
      expect(both.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      for (const r of both) if (r.status === 'fulfilled') await r.value.close();
      // The first is untouched by the refusal.
      await first.query('CREATE TABLE kept (n integer)');
      await first.query('INSERT INTO kept VALUES (1)');
    } finally {
      await first.close();
    }
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    const second = await embeddedSql(dir);
    try {
      expect((await second.query<{ n: number }>('SELECT n FROM kept')).rows).toEqual([{ n: 1 }]);
    } finally {
      await second.close();
    }
  }, 60_000);

  it('refuses a directory whose lock holds the pid of another live process', async () => {
    const dir = directory();
    // The process that started this one: alive, and not this one.
    const path = lockedBy(dir, process.ppid);
    await expect(embeddedSql(dir)).rejects.toThrow(`is in use by process ${process.ppid}`);
    expect(readFileSync(path, 'utf8').trim()).toBe(String(process.ppid));
  });

  it("refuses another host's lock, whatever its pid: on a shared volume every container's process may be pid 1", async () => {
    const dir = directory();
    const path = join(dir, LOCK_FILE);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, `${process.pid}\nanother-container\n`);
    await expect(embeddedSql(dir)).rejects.toThrow(
      `is in use by process ${process.pid} on host another-container`,
    );
    expect(readFileSync(path, 'utf8')).toBe(`${process.pid}\nanother-container\n`);
  });

  it('takes over a lock whose process is gone, says so, and removes it on close', async () => {
    const dir = directory();
    const { pid: dead } = spawnSync(process.execPath, ['-e', '']);
    const path = lockedBy(dir, dead);
    const stale: StaleLock[] = [];
    const sql = await embeddedSql(dir, { onStaleLock: (lock) => stale.push(lock) });
    try {
      expect(stale).toEqual([{ path, pid: dead }]);
      expect(readFileSync(path, 'utf8').split('\n')[0]).toBe(String(process.pid));
      await sql.query('SELECT 1');
    } finally {
      await sql.close();
    }
    expect(existsSync(path)).toBe(false);
  }, 60_000);

  it("takes over a lock holding this process's pid that it does not hold (a restarted container)", async () => {
    const dir = directory();
    const path = lockedBy(dir, process.pid);
    const stale: StaleLock[] = [];
    const sql = await embeddedSql(dir, { onStaleLock: (lock) => stale.push(lock) });
    await sql.close();
    expect(stale).toEqual([{ path, pid: process.pid }]);
  }, 60_000);
  it('removes only the lock it judged stale, and one takeover at a time', async () => {
    const dir = directory();
    const { pid: dead } = spawnSync(process.execPath, ['-e', '']);
    const path = lockedBy(dir, dead);
    const judged = { pid: dead, host: undefined, text: readFileSync(path, 'utf8') };
    // Another process found the same stale lock, took it over first and made its own.
    const fresh = `${process.ppid}\n${hostname()}\n0123456789abcdef\n`;
    rmSync(path);
    writeFileSync(path, fresh);
    expect(await takeOverStale(path, judged)).toBe('changed');
    expect(readFileSync(path, 'utf8')).toBe(fresh);
    // The stale lock itself, while another process is taking it over, and then.
    writeFileSync(path, judged.text);
    writeFileSync(`${path}.takeover`, `${process.ppid}\n`);
    expect(await takeOverStale(path, judged)).toBe('busy');
    expect(readFileSync(path, 'utf8')).toBe(judged.text);
    rmSync(`${path}.takeover`);
    expect(await takeOverStale(path, judged)).toBe('taken');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('lets one of several processes that find the same stale lock at once take it', async () => {
    // Each process imports the module, says it is ready, and tries the lock when all are (one "go" line each); it
    // holds what it got until its stdin closes. A race: the old takeover let two of six through in 5 of 8 trials.
    const script = `
      import { createInterface } from 'node:readline';
      const { lockDirectory } = await import(${JSON.stringify(join(import.meta.dirname, '../../src/storage/directory-lock.ts'))});
      const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
      console.log('ready');
      await lines.next();
      let lock;
      try {
        lock = await lockDirectory(process.argv[1]);
        console.log('locked');
      } catch (error) {
        console.log('refused: ' + error.message);
      }
      await lines.next();
      await lock?.release();`;
    for (let round = 0; round < 3; round++) {
      const dir = directory();
      const { pid: dead } = spawnSync(process.execPath, ['-e', '']);
      lockedBy(dir, dead);
      const children = Array.from({ length: 5 }, () => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script, dir], {
          stdio: ['pipe', 'pipe', 'inherit'],
        });
        const said: string[] = [];
        const waiters: (() => void)[] = [];
        createInterface({ input: child.stdout }).on('line', (line) => {
          said.push(line);
          waiters.splice(0).forEach((wake) => {
            wake();
          });
        });
        const line = async (n: number): Promise<string> => {
          while (said.length <= n) await new Promise<void>((wake) => waiters.push(wake));
          return said[n]!;
        };
        const closed = new Promise((resolve) => child.on('close', resolve));
        return { child, line, closed };
      });
      expect(await Promise.all(children.map((c) => c.line(0)))).toEqual(Array(5).fill('ready'));
      for (const { child } of children) child.stdin.write('go\n');
      const outcomes = await Promise.all(children.map((c) => c.line(1)));
      for (const { child } of children) child.stdin.end();
      await Promise.all(children.map((c) => c.closed));
      expect(outcomes.filter((o) => o === 'locked')).toHaveLength(1);
      for (const refused of outcomes.filter((o) => o !== 'locked'))
        expect(refused).toMatch(/^refused: the embedded database under .* is in use by process \d+/);
      // Released, and nothing left behind: no lock, no takeover guard, no drafts.
      expect(readdirSync(dir)).toEqual([]);
    }
  }, 60_000);

  it('waits for a takeover under way, and clears the guard of one whose process died', async () => {
    const { pid: dead } = spawnSync(process.execPath, ['-e', '']);
    // A stale lock, and another process (a live one) taking it over that never finishes: refused after a wait.
    const busy = directory();
    writeFileSync(`${lockedBy(busy, dead)}.takeover`, `${process.ppid}\n${hostname()}\n`);
    await expect(lockDirectory(busy)).rejects.toThrow(/is being taken over by another process/);
    // A stale lock and the guard of a process that died while taking it over: both cleared.
    const interrupted = directory();
    const path = lockedBy(interrupted, dead);
    writeFileSync(`${path}.takeover`, `${dead}\n${hostname()}\n`);
    const stale: StaleLock[] = [];
    const lock = await lockDirectory(interrupted, (s) => stale.push(s));
    expect(stale).toEqual([{ path, pid: dead }]);
    expect(readdirSync(interrupted)).toEqual([LOCK_FILE]);
    await lock.release();
    // Only a guard left over, no lock: cleared when the lock is taken.
    const leftOver = directory();
    writeFileSync(`${lockedBy(leftOver, dead)}.takeover`, `${dead}\n${hostname()}\n`);
    rmSync(join(leftOver, LOCK_FILE));
    await (await lockDirectory(leftOver)).release();
    expect(readdirSync(leftOver)).toEqual([]);
  }, 30_000);
});
