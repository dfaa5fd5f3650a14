/**
 * fhir-profiles/ is consistent with itself and with the service: canonical URLs under the project's base, every
 * binding and example profile resolvable within the folder, and the MedicationRequest examples computed by the MME
 * engine as documented. (Validation by a FHIR server: test/integration.)
 */
import { describe, expect, it } from 'vitest';
import { analyze } from '../helpers/analyze.ts';
import { conformanceResources, profileExamples } from '../synthetic/profile-package.ts';

const BASE = 'https://opioid-pain-cds.org/fhir';
const resources = conformanceResources();
const canonicals = new Set(resources.map((r) => r.resource.url));

function bindingsOf(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) bindingsOf(v, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'valueSet' && typeof v === 'string') out.push(v);
      else bindingsOf(v, out);
    }
  }
  return out;
}

describe('fhir-profiles', () => {
  it('names each file after its resource and puts every canonical URL under the project base', () => {
    for (const { file, resource } of resources) {
      expect(file).toBe(`${resource.resourceType}-${resource.id ?? ''}.json`);
      expect(resource.url).toBe(`${BASE}/${resource.resourceType}/${resource.id ?? ''}`);
    }
    expect(resources.map((r) => r.resource.resourceType)).toEqual([
      'CodeSystem',
      'CodeSystem',
      'ValueSet',
      'ValueSet',
      'ValueSet',
      'StructureDefinition',
      'StructureDefinition',
      'StructureDefinition',
    ]);
  });

  it('binds only to value sets defined here, built from code systems defined here, in FHIR or SNOMED CT', () => {
    const project = bindingsOf(resources.map((r) => r.resource)).filter((u) => u.startsWith(BASE));
    expect(project.length).toBeGreaterThan(0);
    for (const url of project) expect(canonicals).toContain(url);
    for (const { resource } of resources.filter((r) => r.resource.resourceType === 'ValueSet')) {
      const include = (resource as { compose: { include: { system: string }[] } }).compose.include;
      for (const { system } of include) {
        if (system.startsWith(BASE)) expect(canonicals).toContain(system);
        else expect(system).toMatch(/^http:\/\/(hl7\.org\/fhir\/|snomed\.info\/sct$)/);
      }
    }
  });

  it('has an example for each profile, claiming it in meta.profile', () => {
    const examples = profileExamples();
    const claimed = new Set(examples.flatMap((e) => e.resource.meta?.profile ?? []));
    for (const { resource } of resources.filter((r) => r.resource.resourceType === 'StructureDefinition'))
      expect(claimed).toContain(resource.url);
    for (const url of claimed) expect(canonicals).toContain(url);
  });

  it('the MedicationRequest examples are computed by the engine: sig-based and supply-based', () => {
    const [fentanyl, oxycodone] = profileExamples()
      .filter((e) => e.resource.resourceType === 'MedicationRequest')
      .map((e) => e.resource);
    const patient = { resourceType: 'Patient' as const, id: 'example', birthDate: '1970-01-01' };
    // oxycodone 5 mg every 6 hours: 20 mg/day x 1.5 (CDC 2022) = 30 MME/day
    const oxy = analyze([patient, oxycodone!], '2026-01-15');
    expect(oxy.orders[0]).toMatchObject({ mme: 30, status: 'counted', method: 'sig' });
    // fentanyl 25 mcg/h patch, 10 patches over 30 days (no structured dose): supply-based, 25 x 2.4 = 60 MME/day
    const fent = analyze([patient, fentanyl!], '2026-01-15');
    expect(fent.orders[0]).toMatchObject({ mme: 60, status: 'counted', method: 'supply' });
  });
});
