/**
 * Who a FHIR Reference names when the rules count people and places: the prescriber of an order, the pharmacy of a
 * dispense (the multiple-prescribers flag). A party is known by keys - its reference on the record's server, the
 * identifiers of the resource it names, else its name - and two references that share a key are one party; it is
 * called by its name, never by a key.
 */
import type { Party } from '../domain/record/party.types.ts';
import { containedResource } from './fhir-values.ts';
import { arr, objs, str, type Json } from './json-read.ts';
import { referenceTarget } from './reference-target.ts';

/**
 * The key of a literal reference: "Type/id" on the record's server however it is written, another server's URL as
 * written, the container's own key for a contained "#x" (record.mapper.ts).
 */
export type PartyKey = (reference: string) => string;

/** The resource a reference of `container` names: one it contains ("#x"), else one `lookup` finds (the Bundle's). */
export function namedBy(
  container: Json,
  lookup: (reference: string) => Json | undefined,
): (reference: string) => Json | undefined {
  return (reference) =>
    reference.startsWith('#') ? containedResource(container, reference) : lookup(reference);
}

/** Spaces as one, at neither end: "Dr  Cy Cole " is "Dr Cy Cole". */
const tidy = (text: string): string => text.trim().replace(/\s+/g, ' ');

const text = (value: unknown): string | undefined => {
  const s = str(value);
  return s === undefined ? undefined : tidy(s) || undefined;
};

/**
 * A Practitioner's name - a HumanName list (the first not marked old) or a single HumanName: its text, else its
 * given and family names - or an Organization's or Location's name.
 */
export function partyName(resource: Json | undefined): string | undefined {
  if (!resource) return undefined;
  const plain = text(resource.name);
  if (plain !== undefined) return plain;
  const names = Array.isArray(resource.name) ? objs(resource.name) : objs([resource.name]);
  const name = names.find((n) => str(n.use) !== 'old') ?? names[0];
  if (!name) return undefined;
  const written = text(name.text);
  if (written !== undefined) return written;
  const parts = [...arr(name.given), name.family].map(text).filter((p): p is string => p !== undefined);
  return parts.length > 0 ? parts.join(' ') : undefined;
}

interface IdentifierValue {
  readonly key: string;
  readonly value: string;
}

/** The identifiers with a value (a list, or the single Identifier of a logical reference), each with its key. */
function identifiers(value: unknown): IdentifierValue[] {
  const out: IdentifierValue[] = [];
  for (const identifier of Array.isArray(value) ? objs(value) : objs([value])) {
    const v = text(identifier.value);
    if (v !== undefined) out.push({ key: `id|${text(identifier.system) ?? ''}|${v}`, value: v });
  }
  return out;
}

/** The key of a party known only by its name: the same name however it is capitalised or spaced. */
const nameKey = (name: string): string => `name|${name.toLowerCase()}`;

const isUrl = (reference: string): boolean => /^https?:\/\//i.test(reference);

/**
 * The party a Reference names, or undefined when it names none or names a resource of a type in `refused` (a
 * Patient writing their own order is no prescriber). `key` keys a literal reference; `named` finds the resource
 * it names (in the Bundle, or contained) - asked only for a reference on the record's server, so that another
 * server's "Practitioner/7" never takes the name of this one's.
 */
export function partyOf(
  reference: Json | undefined,
  key: PartyKey,
  named: (reference: string) => Json | undefined,
  refused: readonly string[] = [],
): Party | undefined {
  if (!reference) return undefined;
  const literal = str(reference.reference);
  const display = text(reference.display);
  const k = literal === undefined ? undefined : key(literal);
  const resource = literal === undefined || k === undefined || isUrl(k) ? undefined : named(literal);
  const type =
    str(reference.type) ??
    str(resource?.resourceType) ??
    (literal === undefined ? undefined : referenceTarget(literal)?.type);
  if (type !== undefined && refused.includes(type)) return undefined;
  // A logical reference by its identifier; a resource by its identifiers too, so that a reference and an identifier
  // of one practitioner are one.
  const ids = identifiers(literal === undefined ? reference.identifier : resource?.identifier);
  const name = display ?? partyName(resource) ?? (ids[0] && `${type ?? 'identifier'} ${ids[0].value}`);
  if (literal === undefined || k === undefined) {
    const keys = ids.length > 0 ? ids.map((i) => i.key) : name === undefined ? [] : [nameKey(name)];
    return keys.length === 0 ? undefined : { keys, ...(name === undefined ? {} : { name }) };
  }
  if (literal.startsWith('#')) {
    // Contained: by what it says of itself, else by its container (k).
    const own = partyName(resource);
    const keys = ids.length > 0 ? ids.map((i) => i.key) : [own === undefined ? k : nameKey(own)];
    return { keys, ...(name === undefined ? {} : { name }) };
  }
  // The reference as written when it is absolute; "Type/id" for a relative one or a urn:uuid of an entry of the
  // Bundle; none for a urn:uuid that names nothing in it.
  const shown = isUrl(literal) ? literal : referenceTarget(k) ? k : undefined;
  return {
    keys: [k, ...ids.map((i) => i.key)],
    ...(name === undefined && shown === undefined ? {} : { name: name ?? shown }),
    ...(shown === undefined ? {} : { reference: shown }),
  };
}
