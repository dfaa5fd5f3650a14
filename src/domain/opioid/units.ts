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

// Maps, not object literals: a unit string from outside ("constructor") must never hit a prototype property.
const UNITS = new Map<string, UnitInfo>();
function define(kind: UnitKind, toBase: number, label: string, spellings: readonly string[]): UnitInfo {
  const info: UnitInfo = { kind, toBase, label };
  for (const s of spellings) UNITS.set(s, info);
  return info;
}

define('mass', 1, 'mg', ['mg', 'milligram', 'milligrams', 'mgs']);
define('mass', 0.001, 'mcg', ['ug', 'mcg', 'µg', 'μg', 'microgram', 'micrograms']);
define('mass', 1000, 'g', ['g', 'gram', 'grams']);
define('volume', 1, 'mL', ['ml', 'milliliter', 'milliliters', 'millilitre', 'millilitres', 'cc']);
define('volume', 1000, 'L', ['l', 'liter', 'litre']);
define('rate', 1, 'mcg/h', [
  'ug/h',
  'mcg/h',
  'mcg/hr',
  'ug/hr',
  'mcg/hour',
  'microgram/hour',
  'micrograms/hour',
]);
define('rate', 1000, 'mg/h', ['mg/h', 'mg/hr', 'mg/hour']);

const COUNT = {
  tab: define('count', 1, 'tab', [
    'tab',
    'tabs',
    'tablet',
    'tablets',
    'tablet(s)',
    'tbl',
    'tabl',
    'caplet',
    'caplets',
    'pill',
    'pills',
  ]),
  cap: define('count', 1, 'cap', ['cap', 'caps', 'capsule', 'capsules', 'capsule(s)']),
  patch: define('count', 1, 'patch', [
    'patch',
    'patches',
    'patch(es)',
    'ptch',
    'system',
    'transdermal system',
  ]),
  actuation: define('count', 1, 'actuation', [
    'actuat',
    'actuation',
    'actuations',
    'spray',
    'sprays',
    'spray(s)',
    'puff',
    'puffs',
    'spry',
  ]),
  lozenge: define('count', 1, 'lozenge', ['lozenge', 'lozenges', 'troche', 'troches', 'loz']),
  film: define('count', 1, 'film', ['film', 'films', 'strip', 'strips']),
  suppository: define('count', 1, 'suppository', ['supp', 'suppository', 'suppositories']),
  unit: define('count', 1, 'unit', ['each', 'ea', 'unit of use', 'dose unit']),
} as const;

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
  if (CACHE.size < 10_000 && raw.length <= 64) CACHE.set(raw, found ?? null);
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
  return UNITS.get(key);
}

export type UnitReading =
  { readonly ok: true; readonly unit: UnitInfo } | { readonly ok: false; readonly problem: string };

/**
 * Reads a quantity's unit from its code (UCUM or orderableDrugForm) and its free-text unit. When both are
 * recognised they must agree ("mg" with code "TAB" is an error in the order, not a choice to make for it).
 */
export function readUnit(q: { readonly code?: string; readonly unit?: string }, what: string): UnitReading {
  const byCode = q.code === undefined ? undefined : lookup(q.code);
  const byText = q.unit === undefined ? undefined : lookup(q.unit);
  if (byCode && byText && (byCode.kind !== byText.kind || byCode.toBase !== byText.toBase)) {
    return { ok: false, problem: `${what} unit "${q.unit ?? ''}" and its code "${q.code ?? ''}" disagree` };
  }
  const unit = byCode ?? byText;
  return unit
    ? { ok: true, unit }
    : { ok: false, problem: `${what} unit "${describeUnit(q)}" is not recognised` };
}

export function classifyUnit(q: { readonly code?: string; readonly unit?: string }): UnitInfo | undefined {
  const reading = readUnit(q, '');
  return reading.ok ? reading.unit : undefined;
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
