/** Someone a record names: the prescriber of an order, the pharmacy of a dispense. */
export interface Party {
  /**
   * The keys the record knows it by (src/fhir/party.mapper.ts): its reference on the record's server, the
   * identifiers of the resource it names, else its name. Two parties that share a key are one. Never shown.
   */
  readonly keys: readonly string[];
  /** Who it is in plain words: the reference's display, the named resource's name or identifier, else its reference. */
  readonly name?: string;
  /** The FHIR reference to it ("Practitioner/7", another server's URL), unless it is contained or names nothing. */
  readonly reference?: string;
}
