/**
 * One reading of literal references for the Bundle index, the service's Medication reads and the trend app's: the
 * type and id at the end of a relative or absolute reference, a version dropped, anything else naming nothing.
 */
import { describe, expect, it } from 'vitest';
import { indexBundle } from '../../src/fhir/bundle-index.ts';
import { medicationPath, referenceBase, referenceTarget } from '../../src/fhir/reference-target.ts';

describe('referenceBase', () => {
  it.each([
    ['https://ehr.example.org/fhir/Practitioner/7', 'https://ehr.example.org/fhir'],
    ['https://ehr.example.org/fhir/Practitioner/7/_history/2', 'https://ehr.example.org/fhir'],
    // An id that is also a type name: the base ends before the whole tail, not at the last "/Practitioner/".
    ['https://ehr.example.org/fhir/Practitioner/Practitioner/_history/2', 'https://ehr.example.org/fhir'],
    ['https://ehr.example.org/fhir/t2/Practitioner/7', 'https://ehr.example.org/fhir/t2'],
    ['Practitioner/7', ''],
  ])('%s -> %s', (reference, base) => {
    expect(referenceBase(reference)).toBe(base);
  });

  it.each(['#p', 'urn:uuid:1f2e', 'https://ehr.example.org/fhir/Practitioner/..'])(
    '%s names no base',
    (reference) => {
      expect(referenceBase(reference)).toBeUndefined();
    },
  );
});

describe('referenceTarget', () => {
  it.each([
    ['Medication/123', 'Medication', '123'],
    ['https://ehr.example.org/fhir/R4/Medication/eXy.9-a', 'Medication', 'eXy.9-a'],
    ['Medication/123/_history/4', 'Medication', '123'],
    ['https://ehr.example.org/fhir/Patient/p1/_history/2', 'Patient', 'p1'],
    [`Medication/${'a'.repeat(64)}`, 'Medication', 'a'.repeat(64)],
    ['Medication/.a', 'Medication', '.a'],
    ['Medication/x..', 'Medication', 'x..'],
  ])('%s names %s/%s', (reference, type, id) => {
    expect(referenceTarget(reference)).toEqual({ type, id });
  });

  it.each([
    '#med1',
    'urn:uuid:3f1c2d4e-5a6b-4c7d-8e9f-001122334455',
    'Medication/',
    'Medication/a b',
    'Medication/1?_format=xml',
    'Medication/1#x',
    'medication/1',
    'xMedication/1',
    `Medication/${'a'.repeat(65)}`,
    'Medication/1/_history/',
    // Dots alone are path segments: read from a server, "Medication/.." is its root.
    'Medication/..',
    'Medication/.',
    'https://ehr.example.org/fhir/Medication/...',
    '',
  ])('%j names no resource', (reference) => {
    expect(referenceTarget(reference)).toBeUndefined();
  });
});

describe('medicationPath', () => {
  it('is "Medication/{id}" for a reference to a Medication, whatever its form, and nothing for another type', () => {
    expect(medicationPath('https://ehr.example.org/fhir/Medication/m1/_history/3')).toBe('Medication/m1');
    expect(medicationPath('Medication/m1')).toBe('Medication/m1');
    expect(medicationPath('Substance/m1')).toBeUndefined();
    expect(medicationPath('Medication/m1?x=1')).toBeUndefined();
  });
});

describe('references resolved in a Bundle', () => {
  const oxycodone = {
    resourceType: 'Medication',
    id: 'm1',
    code: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '1049621' }] },
  };
  const entries = (reference: string) => ({
    resourceType: 'Bundle',
    type: 'collection',
    entry: [
      { fullUrl: 'https://server-a.example.org/fhir/Medication/m1', resource: oxycodone },
      {
        fullUrl: 'https://server-a.example.org/fhir/MedicationRequest/r1',
        resource: { resourceType: 'MedicationRequest', id: 'r1', medicationReference: { reference } },
      },
    ],
  });

  it.each([
    ['https://server-a.example.org/fhir/Medication/m1', true],
    ['https://SERVER-A.example.org/fhir/Medication/m1/_history/2', true],
    ['Medication/m1', true],
    ['https://server-b.example.org/fhir/Medication/m1', false],
    ['https://server-a.example.org/other/Medication/m1', false],
  ])('%s resolves to the entry: %s', (reference, resolves) => {
    const index = indexBundle(entries(reference));
    expect(index.resolve(reference) === oxycodone).toBe(resolves);
  });
});
