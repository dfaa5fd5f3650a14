/** Someone a record names: the prescriber of an order, the pharmacy of a dispense. */
export interface Party {
  /**
   * Who it is, for counting: one key however the record writes the reference (src/fhir/record.mapper.ts), never
   * shown to a reader.
   */
  readonly key: string;
  /** Who it is in plain words: its name (the reference's display, the named resource's own), else its reference. */
  readonly name: string;
  /** The FHIR reference to it ("Practitioner/7", or another server's URL), unless it is contained in a resource. */
  readonly reference?: string;
}
