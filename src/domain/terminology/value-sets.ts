/**
 * Membership in the CDC opioid CDS IG value sets the risk rules use (data/cdc-value-sets.json, regenerated with
 * provenance by scripts/build-reference-data.ts). ICD-10-CM codes match by ancestry: a code is in a set when it or
 * one of its parents is ("C50.911" is in a set that lists "C50").
 */
import data from './data/cdc-value-sets.json' with { type: 'json' };
import type { CodingInput } from '../opioid/order.types.ts';
import { normalIcd10, systemKey, type SystemKey } from './code-systems.ts';

export type ValueSetId = keyof typeof data.valueSets;

interface CompiledSet {
  readonly url: string;
  readonly title: string;
  readonly codes: ReadonlyMap<SystemKey, ReadonlySet<string>>;
  /** Single-word ingredient and brand names, and the few multi-word brands ("ms contin"). */
  readonly names: ReadonlySet<string>;
  readonly phrases: readonly string[];
}

interface RawSet {
  url: string;
  title: string;
  codes: Partial<Record<SystemKey, string[]>>;
  ingredients?: string[];
  brands?: string[];
}

const SETS = new Map<ValueSetId, CompiledSet>();
for (const [id, raw] of Object.entries(data.valueSets as Record<string, RawSet>)) {
  const codes = new Map<SystemKey, ReadonlySet<string>>();
  for (const [system, list] of Object.entries(raw.codes)) codes.set(system as SystemKey, new Set(list));
  const all = [...(raw.ingredients ?? []), ...(raw.brands ?? [])].map((n) =>
    n.replace(/[^a-z0-9-]+/g, ' ').trim(),
  );
  SETS.set(id as ValueSetId, {
    url: raw.url,
    title: raw.title,
    codes,
    names: new Set(all.filter((n) => !n.includes(' '))),
    phrases: all.filter((n) => n.includes(' ')),
  });
}

function set(id: ValueSetId): CompiledSet {
  const found = SETS.get(id);
  if (!found) throw new Error(`value set ${id} is not carried`);
  return found;
}

export function valueSetUrl(id: ValueSetId): string {
  return set(id).url;
}

/**
 * Membership answers, by value set, then system, then code: diagnosis and drug codes recur across patients, and
 * nested maps avoid building a key string per look-up. Bounded: past the limit the memo starts again.
 */
const MEMBERSHIP = new Map<ValueSetId, Map<string, Map<string, boolean>>>();
let remembered = 0;
const MEMBERSHIP_LIMIT = 100_000;

function computeMembership(id: ValueSetId, system: string | undefined, code: string): boolean {
  const key = systemKey(system);
  const codes = set(id).codes.get(key);
  if (!codes) return false;
  if (key !== 'icd10cm') return codes.has(code.trim());
  const normal = normalIcd10(code);
  for (let length = normal.length; length >= 3; length--) {
    if (codes.has(normal.slice(0, length))) return true;
  }
  return false;
}

export function inValueSet(id: ValueSetId, coding: CodingInput): boolean {
  const code = coding.code;
  if (code === undefined) return false;
  const system = coding.system ?? '';
  // Long (hostile) systems and codes are judged, never remembered - not even as an empty map for the system.
  if (system.length > 200 || code.length > 64) return computeMembership(id, coding.system, code);
  let bySystem = MEMBERSHIP.get(id);
  if (!bySystem) MEMBERSHIP.set(id, (bySystem = new Map<string, Map<string, boolean>>()));
  let byCode = bySystem.get(system);
  if (!byCode) bySystem.set(system, (byCode = new Map<string, boolean>()));
  let answer = byCode.get(code);
  if (answer === undefined) {
    answer = computeMembership(id, coding.system, code);
    if (++remembered > MEMBERSHIP_LIMIT) {
      MEMBERSHIP.clear();
      remembered = 0;
    }
    byCode.set(code, answer);
  }
  return answer;
}

/** What the membership memo holds: systems and codes remembered, all value sets together (what bounds its memory). */
export function rememberedMemberships(): number {
  let n = 0;
  for (const bySystem of MEMBERSHIP.values()) for (const byCode of bySystem.values()) n += 1 + byCode.size;
  return n;
}

export function anyInValueSet(id: ValueSetId, codings: readonly CodingInput[]): CodingInput | undefined {
  return codings.find((c) => inValueSet(id, c));
}

/**
 * For products whose code is missing from a medication set: the ingredient or brand named in the text
 * ("lorazepam 1 mg", "Narcan nasal spray"), whole words only.
 */
export function namedInMedicationSet(id: ValueSetId, text: string): string | undefined {
  const normal = text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, ' ')
    .trim();
  const s = set(id);
  for (const word of normal.split(' ')) if (s.names.has(word)) return word;
  const padded = ` ${normal} `;
  return s.phrases.find((phrase) => padded.includes(` ${phrase} `));
}

const OUD_SEVERITY: ReadonlyMap<string, string> = new Map(Object.entries(data.oudSeverity));

/** OUD severity of a SNOMED code from its display, as generated; ICD-10-CM severity is read from the code. */
export function snomedOudSeverity(code: string): string | undefined {
  return OUD_SEVERITY.get(code.trim());
}
