/**
 * The data every service reads, as prefetch templates with only CDS Hooks 2.0 tokens ({{context.patientId}}). The
 * keys the analysis cannot do without are required (412 when they can be neither prefetched nor fetched); the rest
 * make the cards say what was not checked. Searches ask for the newest first, so that when a very long history
 * is cut at the page cap, what is left out is the oldest (outside the 180-day and 12-month look-backs). `_include`
 * and `_sort` are optional in FHIR: a server that refuses them (400) is asked again without them - the Medications
 * are then read one by one, and a history cut at the cap is reported as such either way.
 */
import type { PrefetchSpec } from '../fhir/fhir-gateway.ts';
import { RULE_OBSERVATION_CATEGORIES, WITHOUT_OTHER_CATEGORIES } from '../fhir/observation-categories.ts';

/** The key of the medication orders: the record of which tells whether the patient is on opioids. */
export const ORDERS_KEY = 'medications';

export const PREFETCH: readonly PrefetchSpec[] = [
  {
    key: 'patient',
    template: 'Patient/{{context.patientId}}',
    label: 'patient demographics',
    required: true,
  },
  {
    key: ORDERS_KEY,
    template:
      'MedicationRequest?patient={{context.patientId}}&_include=MedicationRequest:medication&_sort=-authoredon&_count=100',
    label: 'medication orders',
    required: true,
    onBadRequest: [
      { template: 'MedicationRequest?patient={{context.patientId}}&_sort=-authoredon&_count=100' },
      { template: 'MedicationRequest?patient={{context.patientId}}&_count=100' },
    ],
  },
  {
    key: 'conditions',
    template: 'Condition?patient={{context.patientId}}&_count=100',
    label: 'conditions',
    required: true,
  },
  {
    key: 'observations',
    template: 'Observation?patient={{context.patientId}}&_sort=-date&_count=100',
    label: 'observations (urine drug screens, COMM, PHQ-9)',
    required: false,
    // Epic's refuses a search without a category: the categories the rules read, first.
    onBadRequest: [
      {
        template: `Observation?patient={{context.patientId}}&category=${RULE_OBSERVATION_CATEGORIES}&_sort=-date&_count=100`,
        leftOut: WITHOUT_OTHER_CATEGORIES,
      },
      { template: 'Observation?patient={{context.patientId}}&_count=100' },
      {
        template: `Observation?patient={{context.patientId}}&category=${RULE_OBSERVATION_CATEGORIES}&_count=100`,
        leftOut: WITHOUT_OTHER_CATEGORIES,
      },
    ],
  },
  {
    key: 'serviceRequests',
    template: 'ServiceRequest?patient={{context.patientId}}&_count=100',
    label: 'referrals',
    required: false,
  },
  {
    key: 'encounters',
    template: 'Encounter?patient={{context.patientId}}&_count=100',
    label: 'encounters',
    required: false,
  },
  {
    key: 'dispenses',
    template:
      'MedicationDispense?patient={{context.patientId}}&_include=MedicationDispense:medication&_count=100',
    label: 'medication dispenses',
    required: false,
    onBadRequest: [{ template: 'MedicationDispense?patient={{context.patientId}}&_count=100' }],
  },
];

export const PREFETCH_TEMPLATES: Readonly<Record<string, string>> = Object.fromEntries(
  PREFETCH.map((p) => [p.key, p.template]),
);
