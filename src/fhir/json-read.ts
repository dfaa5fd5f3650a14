/**
 * Defensive readers for FHIR JSON from outside: every EHR bends the spec somewhere, and one odd field must not
 * take the whole analysis down. Each reader returns undefined for the wrong type instead of throwing.
 */
export type Json = Record<string, unknown>;

export function obj(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

export function arr(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

export function objs(value: unknown): Json[] {
  const out: Json[] = [];
  if (!Array.isArray(value)) return out;
  for (const item of value as unknown[]) {
    if (typeof item === 'object' && item !== null && !Array.isArray(item)) out.push(item as Json);
  }
  return out;
}

/** A non-blank string (a string of spaces is absent). */
export function str(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0) return undefined;
  // Most values start with a visible ASCII character: no need to scan them for blanks.
  const first = value.charCodeAt(0);
  return (first > 32 && first < 127) || value.trim() !== '' ? value : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
