/**
 * Nothing acknowledged is lost: a burst of 1,000 feedback items against the real service process, which is then
 * killed with SIGKILL (no shutdown), and every acknowledged item is found after a restart - with the embedded store
 * and with PostgreSQL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/storage/store.ts';
import { DATABASES } from '../helpers/stores.ts';
import { freePort } from '../helpers/free-port.ts';

const ROOT = join(import.meta.dirname, '../..');

async function startService(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'src/server.ts')], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), CDS_AUTH: 'off', LOG_LEVEL: 'silent' },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return { child, url };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('the service did not become ready');
}

describe.each(DATABASES)('feedback durability on %s', (_name, make) => {
  it('every acknowledged item of a 1,000-item burst survives SIGKILL', async () => {
    const db = await make();
    try {
      const { child, url } = await startService(db.env);
      let acknowledged = 0;
      const send = async (batch: number): Promise<void> => {
        const feedback = Array.from({ length: 10 }, (_, i) => ({
          card: `card-${batch}-${i}`,
          outcome: i % 2 ? 'accepted' : 'overridden',
          outcomeTimestamp: '2026-01-15T10:00:00Z',
          ...(i % 2
            ? { acceptedSuggestions: [{ id: `s-${batch}-${i}` }] }
            : { overrideReasons: [{ code: 'not-available' }] }),
        }));
        const res = await fetch(`${url}/cds-services/opioid-pain-patient-view/feedback`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ feedback }),
        });
        if (res.ok) acknowledged += feedback.length;
      };
      const batches = Array.from({ length: 100 }, (_, i) => i);
      for (let i = 0; i < batches.length; i += 20) await Promise.all(batches.slice(i, i + 20).map(send));
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      expect(acknowledged).toBe(1000);

      const store = await openStore(await db.open());
      try {
        expect(await store.feedbackCount()).toBe(acknowledged);
      } finally {
        await store.close();
      }
      // And the restarted service still answers from that store.
      const again = await startService(db.env);
      expect((await fetch(`${again.url}/readyz`)).status).toBe(200);
      again.child.kill('SIGKILL');
    } finally {
      await db.drop();
    }
  }, 120_000);
});
