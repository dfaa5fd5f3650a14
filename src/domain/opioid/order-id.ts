/**
 * The ids of orders being signed. A draft that revises an order of the record (the same id) is analysed beside it,
 * the order until the revision starts, under the order's id with REVISION (a colon cannot be in a FHIR id, so no
 * order of a record has such an id): the revision is that order, as evidence and cards name it.
 */
export const REVISION = ':revision';

/** The id of the order a revision revises; undefined for any other order. */
export function revisedId(id: string): string | undefined {
  return id.endsWith(REVISION) ? id.slice(0, -REVISION.length) : undefined;
}

/** How evidence and cards name an order: "MedicationRequest/{id}", a revision as the order it revises. */
export function orderReference(id: string): string {
  return `MedicationRequest/${revisedId(id) ?? id}`;
}
