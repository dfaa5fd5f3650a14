/**
 * Observations are searched without a category: screening scores are often recorded without one. A server that
 * insists on a category (Epic does) is asked for the two the rules read: urine drug screens are laboratory results,
 * COMM and PHQ-9 surveys (observation-category codes, http://terminology.hl7.org/CodeSystem/observation-category).
 * Shared by the service's FHIR gateway and the trend app, so that both read the same record.
 */
export const RULE_OBSERVATION_CATEGORIES = 'laboratory,survey';

export const WITHOUT_OTHER_CATEGORIES =
  'the FHIR server requires a category, so only laboratory and survey observations were read (a score recorded without one is not seen)';
