/**
 * Dose and strength units. EHRs send UCUM codes ("mg", "{tbl}"), HL7 orderableDrugForm codes ("TAB", "CAP",
 * "TPATCH") or free text ("tablet(s)", "mL"); every one is reduced to a kind and a factor to the kind's base unit
 * (mg, mL, one unit, mcg/h). Anything unrecognised is reported, never guessed.
 */
export type UnitKind = 'mass' | 'volume' | 'count' | 'rate';

export interface UnitInfo {
  readonly kind: UnitKind;
  /** Multiply a value in this unit by toBase to get mg, mL, units, or mcg/h. */
  readonly toBase: number;
  /** Short label for derivations: "mg", "mL", "tab", "patch", "mcg/h". */
  readonly label: string;
}

const MASS: Record<string, UnitInfo> = {};
for (const u of ['mg', 'milligram', 'milligrams', 'mgs']) MASS[u] = { kind: 'mass', toBase: 1, label: 'mg' };
for (const u of ['ug', 'mcg', 'µg', 'μg', 'microgram', 'micrograms'])
  MASS[u] = { kind: 'mass', toBase: 0.001, label: 'mcg' };
for (const u of ['g', 'gram', 'grams']) MASS[u] = { kind: 'mass', toBase: 1000, label: 'g' };

const VOLUME: Record<string, UnitInfo> = {};
for (const u of ['ml', 'milliliter', 'milliliters', 'millilitre', 'millilitres', 'cc'])
  VOLUME[u] = { kind: 'volume', toBase: 1, label: 'mL' };
for (const u of ['l', 'liter', 'litre']) VOLUME[u] = { kind: 'volume', toBase: 1000, label: 'L' };

const RATE: Record<string, UnitInfo> = {};
for (const u of ['ug/h', 'mcg/h', 'mcg/hr', 'ug/hr', 'mcg/hour', 'microgram/hour', 'micrograms/hour'])
  RATE[u] = { kind: 'rate', toBase: 1, label: 'mcg/h' };
for (const u of ['mg/h', 'mg/hr', 'mg/hour']) RATE[u] = { kind: 'rate', toBase: 1000, label: 'mg/h' };

/** Count units: label -> the spellings that mean one of it. */
const COUNT_SPELLINGS: Record<string, readonly string[]> = {
  tab: ['tab', 'tabs', 'tablet', 'tablets', 'tablet(s)', 'tbl', 'tabl', 'caplet', 'caplets', 'pill', 'pills'],
  cap: ['cap', 'caps', 'capsule', 'capsules', 'capsule(s)'],
  patch: ['patch', 'patches', 'patch(es)', 'ptch', 'system', 'transdermal system'],
  actuation: ['actuat', 'actuation', 'actuations', 'spray', 'sprays', 'spray(s)', 'puff', 'puffs', 'spry'],
  lozenge: ['lozenge', 'lozenges', 'troche', 'troches', 'loz'],
  film: ['film', 'films', 'strip', 'strips'],
  suppository: ['supp', 'suppository', 'suppositories'],
  unit: ['each', 'ea', 'unit of use', 'dose unit'],
};
const COUNT: Record<string, UnitInfo> = {};
for (const [label, spellings] of Object.entries(COUNT_SPELLINGS)) {
  for (const s of spellings) COUNT[s] = { kind: 'count', toBase: 1, label };
}

/** HL7 v3 orderableDrugForm codes, by pattern (TAB, ERTAB12, SLTAB, CAP, ERCAP, TPATCH, TPATH72, SUPP...). */
function orderableDrugForm(code: string): UnitInfo | undefined {
  if (!/^[A-Z0-9]+$/.test(code)) return undefined;
  if (/TAB\d*$/.test(code) || code === 'CAPLET' || code === 'PILL') return COUNT.tab;
  if (/CAP\d*$/.test(code)) return COUNT.cap;
  if (/^(T?PATCH|TPATH\w*)$/.test(code)) return COUNT.patch;
  if (/SUPP$/.test(code)) return COUNT.suppository;
  if (code === 'SPRY' || code === 'PUFF' || code === 'ACTUAT') return COUNT.actuation;
  if (code === 'TROCHE' || code === 'LOZ' || code === 'ORTROCHE') return COUNT.lozenge;
  if (/FILM$/.test(code)) return COUNT.film;
  return undefined;
}

const CACHE = new Map<string, UnitInfo | null>();

function lookup(raw: string): UnitInfo | undefined {
  const cached = CACHE.get(raw);
  if (cached !== undefined) return cached ?? undefined;
  const found = uncachedLookup(raw);
  // Unit strings are few and repeat across orders; bound the cache against hostile input.
  if (CACHE.size < 10_000) CACHE.set(raw, found ?? null);
  return found;
}

function uncachedLookup(raw: string): UnitInfo | undefined {
  const trimmed = raw.trim();
  if (!trimmed) return undefined;
  const byForm = orderableDrugForm(trimmed);
  if (byForm) return byForm;
  // UCUM annotations ("{tbl}", "{patch}") and plain text share one vocabulary.
  const key = trimmed
    .replace(/^\{(.*)\}$/, '$1')
    .toLowerCase()
    .replace(/\s+/g, ' ');
  return MASS[key] ?? VOLUME[key] ?? RATE[key] ?? COUNT[key];
}

/** Classifies a quantity's unit from its code first (UCUM or orderableDrugForm), then its free-text unit. */
export function classifyUnit(q: { readonly code?: string; readonly unit?: string }): UnitInfo | undefined {
  return (
    (q.code === undefined ? undefined : lookup(q.code)) ?? (q.unit === undefined ? undefined : lookup(q.unit))
  );
}

export function describeUnit(q: { readonly code?: string; readonly unit?: string }): string {
  return q.unit ?? q.code ?? '(no unit)';
}

/** Days in one UCUM time unit as FHIR Timing uses them (mo = 30 d, a = 365 d, per the clinical brief 2.2). */
export function daysPerTimeUnit(unit: string | undefined): number | undefined {
  switch (unit?.trim().toLowerCase()) {
    case 's':
    case 'sec':
    case 'second':
    case 'seconds':
      return 1 / 86_400;
    case 'min':
    case 'minute':
    case 'minutes':
      return 1 / 1440;
    case 'h':
    case 'hr':
    case 'hour':
    case 'hours':
      return 1 / 24;
    case 'd':
    case 'day':
    case 'days':
      return 1;
    case 'wk':
    case 'week':
    case 'weeks':
      return 7;
    case 'mo':
    case 'month':
    case 'months':
      return 30;
    case 'a':
    case 'yr':
    case 'year':
    case 'years':
      return 365;
    case undefined:
    default:
      return undefined;
  }
}
