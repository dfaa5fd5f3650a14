/**
 * Which allow-listed FHIR base a caller's URL names (the service's fhirServer, the trend app's iss): the same server
 * whatever the case of scheme and host, a default port or a trailing slash; never another path, user info, a query
 * or a fragment. The allow-listed string is the one returned.
 */
import { describe, expect, it } from 'vitest';
import { allowedBase, onAnotherServer, onSameServer, underBase } from '../../src/fhir/allowed-base.ts';

const ALLOWED = ['https://ehr.example.org/FHIR/R4', 'http://127.0.0.1:8090/fhir/'];

describe('allowedBase', () => {
  it.each([
    ['https://ehr.example.org/FHIR/R4', ALLOWED[0]],
    ['https://ehr.example.org/FHIR/R4/', ALLOWED[0]],
    ['HTTPS://EHR.Example.ORG/FHIR/R4', ALLOWED[0]],
    ['https://ehr.example.org:443/FHIR/R4', ALLOWED[0]],
    [' https://ehr.example.org/FHIR/R4 ', ALLOWED[0]],
    ['http://127.0.0.1:8090/fhir', ALLOWED[1]],
  ])('%s names %s', (url, expected) => {
    expect(allowedBase(url, ALLOWED)).toBe(expected);
  });

  it.each([
    'https://ehr.example.org/fhir/r4',
    'https://ehr.example.org/FHIR/R4/Patient',
    'https://ehr.example.org/FHIR',
    'http://ehr.example.org/FHIR/R4',
    'https://ehr.example.org:8443/FHIR/R4',
    'https://user@ehr.example.org/FHIR/R4',
    'https://ehr.example.org/FHIR/R4?x=1',
    'https://ehr.example.org/FHIR/R4#top',
    'https://ehr.example.org.evil.example/FHIR/R4',
    'not a url',
    '',
  ])('%s names none', (url) => {
    expect(allowedBase(url, ALLOWED)).toBeUndefined();
  });

  it('names none when nothing is allowed or no URL is given', () => {
    expect(allowedBase('https://ehr.example.org/FHIR/R4', [])).toBeUndefined();
    expect(allowedBase(undefined, ALLOWED)).toBeUndefined();
  });
});

describe('underBase (the links the service and the trend app follow with the token)', () => {
  const BASE = 'https://ehr.example.org/fhir';
  it.each([
    ['https://ehr.example.org/fhir/MedicationRequest?page=2', true],
    ['https://EHR.example.org:443/fhir/Observation', true],
    ['https://ehr.example.org/fhir', true],
    ['https://ehr.example.org/fhir/../admin', false],
    ['https://ehr.example.org/fhirx/Observation', false],
    ['https://user:pw@ehr.example.org/fhir/Observation', false],
    ['http://ehr.example.org/fhir/Observation', false],
    ['https://evil.example/fhir/Observation', false],
    ['not a url', false],
  ])('%s: %s', (url, under) => {
    expect(underBase(url, BASE)).toBe(under);
  });
});

describe('onSameServer (whether an absolute reference names the FHIR server the resources come from)', () => {
  const BASE = 'https://ehr.example.org/fhir';
  it.each([
    ['https://ehr.example.org/fhir/Medication/m1', true],
    // Behind a TLS proxy the server may write http:// or its internal port.
    ['http://ehr.example.org:8080/fhir/Medication/m1', true],
    ['https://EHR.example.org/fhir/Medication/m1', true],
    ['https://ehr.example.org/other/Medication/m1', false],
    ['https://ehr.example.org/fhir/../other/Medication/m1', false],
    ['https://other.example.org/fhir/Medication/m1', false],
    ['Medication/m1', false],
  ])('%s: %s', (reference, same) => {
    expect(onSameServer(reference, BASE)).toBe(same);
  });
});

describe('onAnotherServer (an absolute reference elsewhere; a relative one names no server)', () => {
  const BASE = 'https://ehr.example.org/fhir';
  it.each([
    ['https://other.example.org/fhir/Medication/m1', true],
    ['http://ehr.example.org:8080/fhir/Medication/m1', false],
    ['Medication/m1', false],
    ['urn:uuid:7f1c', false],
  ])('%s: %s', (reference, elsewhere) => {
    expect(onAnotherServer(reference, BASE)).toBe(elsewhere);
  });
});
