/** The demo's in-memory FHIR store: the searches the service issues, paging, includes, and clear refusals. */
import { describe, expect, it } from 'vitest';
import { FhirStoreError, MAX_PAGE_SIZE, MemoryFhirStore } from '../../src/demo/memory-fhir-store.ts';

const BASE = 'http://demo.test/fhir';

function store(): MemoryFhirStore {
  const resources = [
    { resourceType: 'Patient', id: 'p1' },
    { resourceType: 'Patient', id: 'p2' },
    { resourceType: 'Medication', id: 'med-1', code: { text: 'oxycodone' } },
    ...Array.from({ length: 120 }, (_, i) => ({
      resourceType: 'MedicationRequest',
      id: `mr-${i}`,
      subject: { reference: `Patient/${i % 2 === 0 ? 'p1' : 'p2'}` },
      authoredOn: `2026-${String((i % 12) + 1).padStart(2, '0')}-${String((i % 28) + 1).padStart(2, '0')}`,
      ...(i === 0 ? { medicationReference: { reference: 'Medication/med-1' } } : {}),
    })),
    {
      resourceType: 'Observation',
      id: 'o1',
      subject: { reference: 'Patient/p1' },
      effectiveDateTime: '2026-01-01',
    },
    {
      resourceType: 'Observation',
      id: 'o2',
      subject: { reference: 'Patient/p1' },
      effectiveDateTime: '2026-03-01',
    },
  ];
  return new MemoryFhirStore(resources);
}

const ids = (bundle: Record<string, unknown>): string[] =>
  (bundle.entry as { resource: { resourceType: string; id: string } }[]).map(
    (e) => `${e.resource.resourceType}/${e.resource.id}`,
  );
const next = (bundle: Record<string, unknown>): string | undefined =>
  (bundle.link as { relation: string; url: string }[]).find((l) => l.relation === 'next')?.url;

describe('MemoryFhirStore', () => {
  it("finds a patient's resources by patient or subject, and pages through them with next links", () => {
    const s = store();
    const seen: string[] = [];
    let url: string | undefined = `${BASE}/MedicationRequest?patient=p1&_count=25`;
    let pages = 0;
    while (url) {
      const u = new URL(url);
      const page = s.search('MedicationRequest', u.searchParams, BASE);
      expect(page.total).toBe(60);
      seen.push(...ids(page).filter((id) => id.startsWith('MedicationRequest/')));
      url = next(page);
      pages++;
    }
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(60);
    expect(
      ids(s.search('MedicationRequest', new URLSearchParams('subject=Patient/p2&_count=5'), BASE)),
    ).toHaveLength(5);
  });

  it(`caps a page at ${MAX_PAGE_SIZE} entries and says there is more`, () => {
    const page = store().search('MedicationRequest', new URLSearchParams('patient=p1&_count=100'), BASE);
    expect(ids(page)).toHaveLength(MAX_PAGE_SIZE);
    expect(next(page)).toContain('_offset=50');
  });

  it('includes the Medications the page refers to, marked as includes', () => {
    const page = store().search(
      'MedicationRequest',
      new URLSearchParams('patient=p1&_include=MedicationRequest:medication&_sort=authoredon&_count=50'),
      BASE,
    );
    const entries = page.entry as { resource: { id: string }; search: { mode: string }; fullUrl: string }[];
    const included = entries.filter((e) => e.search.mode === 'include');
    expect(included.map((e) => e.resource.id)).toEqual(['med-1']);
    expect(included[0]!.fullUrl).toBe(`${BASE}/Medication/med-1`);
  });

  it('sorts by date, newest first with a minus sign', () => {
    const s = store();
    expect(ids(s.search('Observation', new URLSearchParams('patient=p1&_sort=-date'), BASE))).toEqual([
      'Observation/o2',
      'Observation/o1',
    ]);
    expect(ids(s.search('Observation', new URLSearchParams('patient=p1&_sort=date'), BASE))).toEqual([
      'Observation/o1',
      'Observation/o2',
    ]);
  });

  it('refuses what it does not support instead of ignoring it', () => {
    const s = store();
    for (const query of [
      'patient=p1&code=1234',
      '_sort=-name',
      '_count=-1',
      '_include=Observation:subject',
      'patient=../x',
    ])
      expect(() => s.search('MedicationRequest', new URLSearchParams(query), BASE), query).toThrow(
        FhirStoreError,
      );
    expect(() => s.read('Patient', 'nobody')).toThrow(/not known/);
  });

  it('creates a resource under a new id, and only of the type addressed', () => {
    const s = store();
    const created = s.create('ServiceRequest', {
      resourceType: 'ServiceRequest',
      subject: { reference: 'Patient/p1' },
    });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(s.read('ServiceRequest', created.id).subject).toEqual({ reference: 'Patient/p1' });
    expect(ids(s.search('ServiceRequest', new URLSearchParams('patient=p1'), BASE))).toEqual([
      `ServiceRequest/${created.id}`,
    ]);
    expect(() => s.create('ServiceRequest', { resourceType: 'Patient' })).toThrow(/must be ServiceRequest/);
    expect(() => s.create('ServiceRequest', 'text')).toThrow(/JSON object/);
  });

  it('keeps what its users create bounded: a number of resources, and a size each', () => {
    const referral = { resourceType: 'ServiceRequest', subject: { reference: 'Patient/p1' } };
    const s = new MemoryFhirStore([{ ...referral, id: 'seeded' }], { resources: 2, bytesEach: 200 });
    s.create('ServiceRequest', referral);
    const large = { ...referral, note: [{ text: 'x'.repeat(200) }] };
    expect(() => s.create('ServiceRequest', large)).toThrow(
      expect.objectContaining({ status: 413, message: expect.stringMatching(/at most 200 bytes/) }),
    );
    s.create('ServiceRequest', referral);
    expect(() => s.create('ServiceRequest', referral)).toThrow(
      expect.objectContaining({ status: 507, message: expect.stringMatching(/at most 2 created resources/) }),
    );
    // What it was seeded with does not count, and reading goes on.
    expect(s.all('ServiceRequest')).toHaveLength(3);
    expect(s.read('ServiceRequest', 'seeded').id).toBe('seeded');
  });

  it('measures a resource in UTF-8 bytes, and refuses one too deeply nested to store as too large', () => {
    const referral = { resourceType: 'ServiceRequest', subject: { reference: 'Patient/p1' } };
    const s = new MemoryFhirStore([], { resources: 10, bytesEach: 300 });
    // 120 UTF-16 units, 240 bytes of UTF-8, with the rest over 300 bytes.
    expect(() => s.create('ServiceRequest', { ...referral, note: [{ text: '😀'.repeat(60) }] })).toThrow(
      expect.objectContaining({ status: 413 }),
    );
    let deep: unknown = [];
    for (let i = 0; i < 20_000; i++) deep = [deep];
    expect(() => s.create('ServiceRequest', { ...referral, extension: deep })).toThrow(
      expect.objectContaining({ status: 413 }),
    );
    expect(s.all('ServiceRequest')).toHaveLength(0);
  });

  it('refuses a search that names two patients', () => {
    const s = new MemoryFhirStore([]);
    const params = new URLSearchParams('subject=Patient/a&patient=b');
    expect(() => s.search('Observation', params, 'http://x/fhir')).toThrow(
      expect.objectContaining({ status: 400, message: expect.stringMatching(/more than one patient/) }),
    );
    expect(
      s.search('Observation', new URLSearchParams('subject=Patient/a&patient=a'), 'http://x/fhir'),
    ).toMatchObject({
      total: 0,
    });
  });
});
