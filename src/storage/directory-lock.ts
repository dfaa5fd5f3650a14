/**
 * One process at a time in the embedded database's directory. PGlite is a single-process PostgreSQL: two processes
 * that open the same files both start, and the commits of one are overwritten by the other - acknowledged feedback
 * lost. The owner's pid and host name are kept in a lock file, created exclusively (a hard link of a file already
 * written, so that no one reads it half-written). A lock of this host whose process is gone (a crash, SIGKILL) is
 * taken over; so is one holding this process's own pid that this process does not hold - a container restarted on
 * the same volume gets the same pid again. A lock of another host (another container on a shared volume, where
 * every process may be pid 1) cannot be checked from here: it is refused.
 */
import { randomBytes } from 'node:crypto';
import { link, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
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

/** Who holds a lock file; null when there is no lock file (any more). */
async function ownerOf(path: string): Promise<Owner | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const [pidText, host] = text.split('\n').map((line) => line.trim());
  const pid = Number(pidText);
  return { pid: Number.isInteger(pid) && pid > 0 ? pid : undefined, host: host || undefined };
}

async function createExclusively(path: string): Promise<boolean> {
  const draft = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await writeFile(draft, `${process.pid}\n${hostname()}\n`, { mode: 0o600 });
  try {
    await link(draft, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
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
    // A few times at most: as found, after taking over a stale lock, after one released meanwhile.
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await createExclusively(path))
        return {
          path,
          async release() {
            if (!held.delete(path)) return;
            // Only our own: a lock taken over meanwhile belongs to its new owner.
            const owner = await ownerOf(path);
            if (owner?.pid === process.pid && (owner.host ?? hostname()) === hostname())
              await rm(path, { force: true });
          },
        };
      const owner = await ownerOf(path);
      if (owner === null) continue; // released meanwhile
      const { pid, host } = owner;
      // Another host's process cannot be looked for here.
      if (host !== undefined && host !== hostname()) throw inUse(directory, path, pid, host);
      // This process's own pid is stale: this process does not hold the lock (it would have been refused above).
      if (pid !== undefined && pid !== process.pid && alive(pid)) throw inUse(directory, path, pid);
      onStale({ path, pid });
      await rm(path, { force: true });
    }
    throw new Error(
      `could not lock the embedded database under ${directory} (${path}): another process took it`,
    );
  } catch (error) {
    held.delete(path);
    throw error;
  }
}
