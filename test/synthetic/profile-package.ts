/**
 * The contents of fhir-profiles/: conformance resources (CodeSystems, ValueSets, StructureDefinitions) and the
 * examples, each with its file name. Shared by the unit checks and the integration set-up that loads them into a
 * FHIR server.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';

export const PROFILE_DIR = join(import.meta.dirname, '../../fhir-profiles');

export interface ProfileFile {
  readonly file: string;
  readonly resource: Resource & { url?: string; meta?: { profile?: string[] } };
}

function load(dir: string): ProfileFile[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({
      file,
      resource: JSON.parse(readFileSync(join(dir, file), 'utf8')) as ProfileFile['resource'],
    }));
}

/** CodeSystems first, then ValueSets, then StructureDefinitions: each may refer to the ones before. */
export function conformanceResources(): ProfileFile[] {
  const order = ['CodeSystem', 'ValueSet', 'StructureDefinition'];
  return load(PROFILE_DIR).sort(
    (a, b) => order.indexOf(a.resource.resourceType) - order.indexOf(b.resource.resourceType),
  );
}

export function profileExamples(): ProfileFile[] {
  return load(join(PROFILE_DIR, 'examples'));
}
