/**
 * Index of a Bundle's resources: by type, and by every way a reference may point at them - the entry's fullUrl
 * (urn:uuid:... or absolute URL) or "Type/id" (also the tail of an absolute reference).
 */
import { arr, obj, str, type Json } from './json-read.ts';

export interface BundleIndex {
  readonly byType: ReadonlyMap<string, readonly IndexedResource[]>;
  resolve(reference: string): Json | undefined;
  /** Entries the index could not use (no resource, no resourceType), described for the caller's report. */
  readonly skipped: readonly string[];
}

export interface IndexedResource {
  readonly resource: Json;
  readonly fullUrl?: string;
  readonly position: number;
}

const TYPED_TAIL = /([A-Z][A-Za-z]+\/[A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/;

export function indexBundle(bundle: Json): BundleIndex {
  const byType = new Map<string, IndexedResource[]>();
  const byRef = new Map<string, Json>();
  const skipped: string[] = [];
  for (const [position, rawEntry] of arr(bundle.entry).entries()) {
    const entry = obj(rawEntry);
    const resource = obj(entry?.resource);
    const type = str(resource?.resourceType);
    if (!resource || !type) {
      skipped.push(`Bundle entry ${position} has no resource with a resourceType`);
      continue;
    }
    const fullUrl = str(entry?.fullUrl);
    const item: IndexedResource =
      fullUrl === undefined ? { resource, position } : { resource, fullUrl, position };
    const list = byType.get(type);
    if (list) list.push(item);
    else byType.set(type, [item]);
    if (fullUrl) byRef.set(fullUrl, resource);
    const id = str(resource.id);
    if (id && !byRef.has(`${type}/${id}`)) byRef.set(`${type}/${id}`, resource);
  }
  return {
    byType,
    skipped,
    resolve(reference: string): Json | undefined {
      const direct = byRef.get(reference);
      if (direct) return direct;
      const tail = TYPED_TAIL.exec(reference)?.[1];
      return tail ? byRef.get(tail) : undefined;
    },
  };
}
