/**
 * The CDS Hooks 2.0 response rules, checked on every response the tests see: cards with uuid, summary under 140
 * characters, known indicator, source label and stable alphanumeric topic, suggestions with uuid, label and typed
 * actions, selectionBehavior when there are suggestions, override reasons with displays, absolute links, and no
 * null values or empty arrays anywhere except `cards: []`.
 */
import { expect } from 'vitest';

function noNullsOrEmptyArrays(value: unknown, path: string, problems: string[]): void {
  if (value === null) problems.push(`${path} is null`);
  else if (Array.isArray(value)) {
    if (value.length === 0 && path !== '$.cards') problems.push(`${path} is an empty array`);
    value.forEach((v, i) => {
      noNullsOrEmptyArrays(v, `${path}[${i}]`, problems);
    });
  } else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) noNullsOrEmptyArrays(v, `${path}.${k}`, problems);
  }
}

export interface CardJson {
  uuid: unknown;
  summary: unknown;
  detail?: unknown;
  indicator: unknown;
  source: { label?: unknown; url?: unknown; topic?: { system?: unknown; code?: unknown; display?: unknown } };
  suggestions?: {
    label?: unknown;
    uuid?: unknown;
    isRecommended?: unknown;
    actions?: { type?: unknown; description?: unknown; resource?: unknown }[];
  }[];
  selectionBehavior?: unknown;
  overrideReasons?: { code?: unknown; display?: unknown; system?: unknown }[];
  links?: { label?: unknown; url?: unknown; type?: unknown }[];
}

export function expectCdsHooksResponse(body: unknown): CardJson[] {
  const problems: string[] = [];
  noNullsOrEmptyArrays(body, '$', problems);
  expect(problems).toEqual([]);
  const cards = (body as { cards: CardJson[] }).cards;
  expect(Array.isArray(cards)).toBe(true);
  const uuids = new Set<unknown>();
  for (const card of cards) {
    expect(card.uuid).toEqual(expect.any(String));
    uuids.add(card.uuid);
    expect(typeof card.summary === 'string' && card.summary.length > 0 && card.summary.length < 140).toBe(
      true,
    );
    expect(['info', 'warning', 'critical']).toContain(card.indicator);
    expect(card.detail).toEqual(expect.any(String));
    expect(card.source.label).toEqual(expect.any(String));
    expect(String(card.source.topic?.code)).toMatch(/^[A-Za-z0-9]+$/);
    expect(card.source.topic?.display).toEqual(expect.any(String));
    if (card.suggestions) {
      expect(card.selectionBehavior).toBe('any');
      for (const s of card.suggestions) {
        expect(s.label).toEqual(expect.any(String));
        expect(s.uuid).toEqual(expect.any(String));
        uuids.add(s.uuid);
        expect(s.actions?.length).toBeGreaterThan(0);
        for (const a of s.actions ?? []) {
          expect(['create', 'update', 'delete']).toContain(a.type);
          expect(a.description).toEqual(expect.any(String));
        }
      }
    }
    for (const r of card.overrideReasons ?? []) {
      expect(r.code).toEqual(expect.any(String));
      expect(r.display).toEqual(expect.any(String));
    }
    for (const l of card.links ?? []) {
      expect(l.label).toEqual(expect.any(String));
      expect(String(l.url)).toMatch(/^https?:\/\//);
      expect(['absolute', 'smart']).toContain(l.type);
    }
  }
  const expected = cards.length + cards.reduce((n, c) => n + (c.suggestions?.length ?? 0), 0);
  expect(uuids.size).toBe(expected);
  return cards;
}
