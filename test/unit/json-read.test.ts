/** The defensive JSON readers: the wrong type or a blank value reads as absent, never as a crash. */
import { describe, expect, it } from 'vitest';
import { arr, num, obj, objs, str } from '../../src/fhir/json-read.ts';

describe('json readers', () => {
  it('str: a non-blank string, whatever its first character', () => {
    expect(str('abc')).toBe('abc');
    expect(str(' padded ')).toBe(' padded ');
    expect(str('\u00e9t\u00e9')).toBe('\u00e9t\u00e9');
    expect(str('\u00a0x')).toBe('\u00a0x');
    for (const blank of ['', ' ', '\t\n', '\u00a0', '\u2028 ', '\ufeff']) expect(str(blank)).toBeUndefined();
    for (const other of [1, null, undefined, {}, ['a'], true]) expect(str(other)).toBeUndefined();
  });

  it('objs: only the objects of a list; anything but a list is empty', () => {
    const a = { x: 1 };
    expect(objs([a, null, 'b', 2, [a], { y: 2 }])).toEqual([a, { y: 2 }]);
    expect(objs({ 0: a })).toEqual([]);
    expect(objs(undefined)).toEqual([]);
  });

  it('obj, arr and num refuse the wrong type', () => {
    expect(obj([])).toBeUndefined();
    expect(obj(null)).toBeUndefined();
    expect(arr('x')).toEqual([]);
    expect(num(Number.NaN)).toBeUndefined();
    expect(num(Infinity)).toBeUndefined();
    expect(num('3')).toBeUndefined();
    expect(num(0)).toBe(0);
  });
});
