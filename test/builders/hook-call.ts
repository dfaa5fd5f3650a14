/** A hook call's audit record as the hooks route makes it: a call with no cards, unless the test says otherwise. */
import type { HookCallRecord } from '../../src/storage/store.ts';

export const hookCallRecord = (over: Partial<HookCallRecord> = {}): HookCallRecord => ({
  at: new Date('2026-01-15T10:00:00Z'),
  serviceId: 'opioid-pain-patient-view',
  hookInstance: '00000000-0000-4000-8000-000000000000',
  patientId: 'patient-0',
  cards: [],
  flags: [],
  recommendation: null,
  complete: true,
  partialCount: 0,
  latencyMs: 1,
  ...over,
});
