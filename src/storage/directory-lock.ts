/**
 * One process at a time in the embedded database's directory. PGlite is a single-process PostgreSQL: two processes
 * that open the same files both start, and the commits of one are overwritten by the other - acknowledged feedback
 * lost. The owner's pid, host name and a token of its own are kept in a lock file, created exclusively (a hard
 * link of a file already written, so that no one reads it half-written). A lock of this host whose process is gone
 * (a crash, SIGKILL) is taken over; so is one holding this process's own pid that this process does not hold - a
 * container restarted on the same volume gets the same pid again. A lock of another host (another container on a
 * shared volume, where every process may be pid 1) cannot be checked from here: it is refused. Two processes that
 * find the same stale lock at once must not both take it: the second would remove the lock the first has just made.
 * Takeovers are therefore one at a time, and remove only the very file judged stale (takeOverStale); an owner
 * removes only the file it made.
 */
import { randomBytes } from 'node:crypto';
import { link, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout } from 'node:timers/promises';
import { join } from 'node:path';

export const LOCK_FILE = 'store.lock';

export interface DirectoryLock {
  readonly path: string;
  release(): Promise<void>;
}

/** A lock found and taken over: the pid it held (undefined when it held none). */
export interface StaleLock {
  readonly path: string;
  readonly pid: number | undefined;
}

/** The lock files this process holds or is taking: a second open of one of them in this process is refused. */
const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface Owner {
  /** Undefined when the file holds none. */
  readonly pid: number | undefined;
  /** Undefined in a lock that names no host: read as this one's. */
  readonly host: string | undefined;
}

/** A lock file as read: its owner, and its whole text, which tells it from any other lock file (see below). */
export interface LockFile extends Owner {
  readonly text: string;
}

/** Who holds a lock file; null when there is no lock file (any more). */
async function ownerOf(path: string): Promise<LockFile | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const [pidText, host] = text.split('\n').map((line) => line.trim());
  const pid = Number(pidText);
  return { pid: Number.isInteger(pid) && pid > 0 ? pid : undefined, host: host || undefined, text };
}

/** How long a process waits for another one's takeover of a stale lock, which takes milliseconds. */
const TAKEOVER_WAIT_MS = 2_000;

/**
 * Removes the lock file at `path` if it is still the one judged stale. Takeovers are one at a time, under a second
 * lock file (`<lock>.takeover`) made exclusively: the lock is read again under it and removed only if its text is
 * the one judged (a lock another process made after taking the stale one over has another text, and stays).
 * 'busy': another process is taking it over at this moment.
 */
export async function takeOverStale(path: string, judged: LockFile): Promise<'taken' | 'changed' | 'busy'> {
  const guard = guardOf(path);
  if ((await createExclusively(guard)) === undefined) return 'busy';
  try {
    if ((await ownerOf(path))?.text !== judged.text) return 'changed';
    await rm(path, { force: true });
    return 'taken';
  } finally {
    await rm(guard, { force: true });
  }
}

const guardOf = (path: string): string => `${path}.takeover`;

/**
 * Whether a lock file's owner is gone: of this host (another host's processes cannot be looked for here), and no
 * process runs under its pid - or its pid is this process's own, which this process does not hold (it would have
 * been refused before any file was read).
 */
const stale = (owner: Owner): boolean =>
  (owner.host === undefined || owner.host === hostname()) &&
  (owner.pid === undefined || owner.pid === process.pid || !alive(owner.pid));

/** Whether the file at `path` is a lock file whose owner is gone. */
const leftOver = async (path: string): Promise<boolean> => {
  const owner = await ownerOf(path);
  return owner !== null && stale(owner);
};

/**
 * Creates the lock file at `path` unless one exists: the text written (which tells it from any other lock file), or
 * undefined.
 */
async function createExclusively(path: string): Promise<string | undefined> {
  const draft = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  // pid, host, and a token of this lock alone: a takeover tells lock files apart by their text.
  const text = `${process.pid}\n${hostname()}\n${randomBytes(8).toString('hex')}\n`;
  await writeFile(draft, text, { mode: 0o600 });
  try {
    await link(draft, path);
    return text;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return undefined;
    throw error;
  } finally {
    await rm(draft, { force: true });
  }
}

const inUse = (directory: string, path: string, pid: number | undefined, host?: string): Error =>
  new Error(
    `the embedded database under ${directory} is in use by process ${pid ?? '(unknown)'}${host === undefined ? '' : ` on host ${host.slice(0, 64)}`} (${path}): ` +
      'one process at a time; stop that one (delete the lock file if none runs), or give this one another DATA_DIR',
  );

export async function lockDirectory(
  directory: string,
  onStale: (lock: StaleLock) => void = () => undefined,
): Promise<DirectoryLock> {
  // One spelling per directory, so that this process recognises its own lock however the directory is named.
  const path = join(await realpath(directory), LOCK_FILE);
  // Claimed in this process before the file exists: a second open here, even a concurrent one, is refused.
  if (held.has(path)) throw inUse(directory, path, process.pid);
  held.add(path);
  try {
    // A few times at most: as found, after taking over a stale lock, after one released meanwhile; and while
    // another process takes a stale lock over, until it has.
    const waitUntil = Date.now() + TAKEOVER_WAIT_MS;
    let guardCleared = false;
    for (let tries = 0; tries < 3;) {
      const own = await createExclusively(path);
      if (own !== undefined) {
        // A takeover guard left by a process that died in one (no takeover can run now: it would find this lock).
        if (await leftOver(guardOf(path))) await rm(guardOf(path), { force: true });
        return {
          path,
          async release() {
            if (!held.delete(path)) return;
            // Only our own: a lock taken over meanwhile belongs to its new owner.
            if ((await ownerOf(path))?.text === own) await rm(path, { force: true });
          },
        };
      }
      const owner = await ownerOf(path);
      if (owner === null) {
        tries++; // released meanwhile
        continue;
      }
      const { pid, host } = owner;
      if (!stale(owner)) throw inUse(directory, path, pid, host === hostname() ? undefined : host);
      const takeover = await takeOverStale(path, owner);
      if (takeover === 'busy') {
        if (Date.now() > waitUntil) {
          // A guard whose process died during its takeover (and left the stale lock in place) is cleared once.
          if (!guardCleared && (await leftOver(guardOf(path)))) {
            guardCleared = true;
            await rm(guardOf(path), { force: true });
            continue;
          }
          throw new Error(
            `the lock of the embedded database under ${directory} is being taken over by another process ` +
              `(${guardOf(path)}): delete that file if no service runs on this DATA_DIR`,
          );
        }
        await setTimeout(10);
        continue;
      }
      if (takeover === 'taken') onStale({ path, pid });
      tries++;
    }
    throw new Error(
      `could not lock the embedded database under ${directory} (${path}): another process took it`,
    );
  } catch (error) {
    held.delete(path);
    throw error;
  }
}
