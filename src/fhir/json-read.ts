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
  return arr(value)
    .map(obj)
    .filter((o): o is Json => o !== undefined);
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
