/**
 * Index of a Bundle's resources: by type, and by every way a reference may point at them - the entry's fullUrl
 * (urn:uuid:... or absolute URL) or "Type/id" (also the tail of an absolute reference). The reference maps are
 * built on the first look-up: most Bundles hold thousands of MedicationRequests and few references to resolve.
 */
import { arr, obj, str, type Json } from './json-read.ts';
import { onAnotherServer } from './allowed-base.ts';
import { referenceBase, referenceTarget } from './reference-target.ts';

export interface BundleIndex {
  readonly byType: ReadonlyMap<string, readonly IndexedResource[]>;
  resolve(reference: string): Json | undefined;
  /** Entries the index could not use (no resource, no resourceType), described for the caller's report. */
  readonly skipped: readonly string[];
  /** The FHIR server the resources come from, when known (the hooks' fhirServer). */
  readonly server?: string;
}

export interface IndexedResource {
  readonly resource: Json;
  readonly fullUrl?: string;
  readonly position: number;
}

/**
 * The index of a Bundle's entries (each entry's resource, with its fullUrl). `server`: the FHIR server the Bundle
 * was read from, when known (the trend app's); absolute references to another server then name someone else.
 */
export function indexBundle(bundle: Json, server?: string): BundleIndex {
  const byType = new Map<string, IndexedResource[]>();
  const skipped: string[] = [];
  const entries = arr(bundle.entry);
  for (let position = 0; position < entries.length; position++) {
    const entry = obj(entries[position]);
    add(byType, skipped, obj(entry?.resource), str(entry?.fullUrl), position);
  }
  return indexOf(byType, skipped, server);
}

/**
 * The index of resources as if they were the entries of a collection Bundle without fullUrls (what the hooks
 * gather), without building that Bundle. `server`: the FHIR server they all come from, when known; an absolute
 * reference to another server then resolves to none of them, whatever its id. `fullUrls`: the fullUrl some of
 * them had as entries of the EHR's Bundle (the draft orders'), by which references may name them.
 */
export function indexResources(
  resources: readonly Json[],
  server?: string,
  fullUrls?: ReadonlyMap<Json, string>,
): BundleIndex {
  const byType = new Map<string, IndexedResource[]>();
  const skipped: string[] = [];
  for (let position = 0; position < resources.length; position++) {
    const resource = resources[position];
    add(byType, skipped, resource, resource && fullUrls?.get(resource), position);
  }
  return indexOf(byType, skipped, server);
}

function add(
  byType: Map<string, IndexedResource[]>,
  skipped: string[],
  resource: Json | undefined,
  fullUrl: string | undefined,
  position: number,
): void {
  const type = str(resource?.resourceType);
  if (!resource || !type) {
    skipped.push(`Bundle entry ${position} has no resource with a resourceType`);
    return;
  }
  const item: IndexedResource =
    fullUrl === undefined ? { resource, position } : { resource, fullUrl, position };
  const list = byType.get(type);
  if (list) list.push(item);
  else byType.set(type, [item]);
}

/** The server base of an absolute URL of a resource ("https://h/fhir/Medication/1" -> "https://h/fhir"). */
function serverOf(url: string): string | undefined {
  if (!/^https?:\/\//i.test(url)) return undefined;
  return referenceBase(url)?.replace(/^[a-z]+:\/\/[^/]+/i, (origin) => origin.toLowerCase());
}

function indexOf(
  byType: ReadonlyMap<string, readonly IndexedResource[]>,
  skipped: readonly string[],
  server?: string,
): BundleIndex {
  let byFullUrl: Map<string, Json> | undefined;
  const byId = new Map<string, Map<string, IndexedResource>>();
  const idsOf = (type: string): Map<string, IndexedResource> => {
    let ids = byId.get(type);
    if (!ids) {
      ids = new Map();
      for (const item of byType.get(type) ?? []) {
        const id = str(item.resource.id);
        if (id !== undefined && !ids.has(id)) ids.set(id, item);
      }
      byId.set(type, ids);
    }
    return ids;
  };

  return {
    byType,
    skipped,
    ...(server === undefined ? {} : { server }),
    resolve(reference: string): Json | undefined {
      if (!byFullUrl) {
        byFullUrl = new Map();
        for (const list of byType.values()) {
          for (const { resource, fullUrl } of list)
            if (fullUrl !== undefined) byFullUrl.set(fullUrl, resource);
        }
      }
      const direct = byFullUrl.get(reference);
      if (direct) return direct;
      const target = referenceTarget(reference);
      const found = target ? idsOf(target.type).get(target.id) : undefined;
      // "Type/id" at the end of an absolute reference names the entry only if both are on the same server.
      if (!found || !target) return undefined;
      if (found.fullUrl === undefined) {
        return server !== undefined && onAnotherServer(reference, server) ? undefined : found.resource;
      }
      // The same server however it spells itself (scheme and port may differ behind a TLS proxy).
      const here = serverOf(found.fullUrl);
      return here !== undefined && onAnotherServer(reference, here) ? undefined : found.resource;
    },
  };
}
