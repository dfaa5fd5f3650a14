/** A 400 names the problems briefly: never larger than the request, whatever the request holds. */
import { describe, expect, it } from 'vitest';
import { build } from '../helpers/build-app.ts';
import { hookRequest } from '../helpers/hooks.ts';

const PV = '/cds-services/opioid-pain-patient-view';
const SELECT = '/cds-services/opioid-pain-order-select';

async function post(
  url: string,
  payload: unknown,
): Promise<{ status: number; message: string; sent: number }> {
  const body = JSON.stringify(payload);
  const res = await build({ CDS_AUTH: 'off' }).inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/json' },
    payload: body,
  });
  return { status: res.statusCode, message: res.json<{ message: string }>().message, sent: body.length };
}

describe('400 messages', () => {
  it('list at most ten problems of 50,000, and say how many more', async () => {
    const r = await post(
      SELECT,
      hookRequest('order-select', 'p1', {
        context: {
          selections: Array.from({ length: 50_000 }, () => ''),
          draftOrders: { resourceType: 'Bundle' },
        },
      }),
    );
    expect(r.status).toBe(400);
    expect(r.message.length).toBeLessThan(3_000);
    expect(r.message).toMatch(/and \d+ more problem\(s\)$/);
  });

  it('cut a megabyte hook name, field name or path short', async () => {
    const long = 'h'.repeat(1_000_000);
    const hook = await post(PV, hookRequest(long, 'p1', { prefetch: {} }));
    expect(hook.status).toBe(400);
    expect(hook.message.length).toBeLessThan(500);
    const field = await post('/analysis', {
      bundle: { resourceType: 'Bundle', type: 'collection' },
      [long]: 1,
    });
    expect(field.status).toBe(400);
    expect(field.message.length).toBeLessThan(500);
    expect(field.message).toMatch(/^unknown field\(s\): h+\.\.\.$/);
  });

  it('list ten of 50,000 unknown fields, and say how many more', async () => {
    const extra = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`x${i}`, 1]));
    const r = await post('/analysis', { bundle: { resourceType: 'Bundle', type: 'collection' }, ...extra });
    expect(r.status).toBe(400);
    expect(r.message).toBe(
      `unknown field(s): ${Array.from({ length: 10 }, (_, i) => `x${i}`).join(', ')} and 49990 more`,
    );
  });
});
