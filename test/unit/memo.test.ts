/** The process-wide memos keep short keys only: a hostile record's megabyte strings are never remembered. */
import { describe, expect, it } from 'vitest';
import { BoundedMemo, MAX_REMEMBERED_KEY } from '../../src/domain/memo.ts';

describe('BoundedMemo', () => {
  it('remembers a short key, computes a key longer than MAX_REMEMBERED_KEY each time', () => {
    const memo = new BoundedMemo<number>(10);
    let computed = 0;
    const compute = () => ++computed;
    memo.get('short', compute);
    memo.get('short', compute);
    expect(computed).toBe(1);
    const long = 'x'.repeat(MAX_REMEMBERED_KEY + 1);
    expect(memo.get(long, compute)).toBe(2);
    expect(memo.get(long, compute)).toBe(3);
  });

  it('drops the oldest entry when full', () => {
    const memo = new BoundedMemo<string>(2);
    let computed = 0;
    const compute = () => String(++computed);
    memo.get('a', compute);
    memo.get('b', compute);
    memo.get('c', compute);
    expect(memo.get('b', compute)).toBe('2');
    expect(memo.get('a', compute)).toBe('4');
  });
});
