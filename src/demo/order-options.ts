/**
 * The opioid products the demo's order form offers (RxNorm SCDs from the project's product table, which a test
 * checks), with the dispense unit the demo's draft order uses.
 */
export interface OrderOption {
  readonly rxcui: string;
  readonly name: string;
  readonly unit: 'tablet';
}

export const ORDER_OPTIONS: readonly OrderOption[] = [
  { rxcui: '1049621', name: 'oxycodone hydrochloride 5 MG Oral Tablet', unit: 'tablet' },
  { rxcui: '1049683', name: 'oxycodone hydrochloride 10 MG Oral Tablet', unit: 'tablet' },
  {
    rxcui: '856999',
    name: 'acetaminophen 325 MG / hydrocodone bitartrate 10 MG Oral Tablet',
    unit: 'tablet',
  },
  { rxcui: '891888', name: 'morphine sulfate 30 MG Extended Release Oral Tablet', unit: 'tablet' },
  { rxcui: '897696', name: 'hydromorphone hydrochloride 2 MG Oral Tablet', unit: 'tablet' },
  { rxcui: '835603', name: 'tramadol hydrochloride 50 MG Oral Tablet', unit: 'tablet' },
  { rxcui: '825411', name: 'tapentadol 50 MG Oral Tablet', unit: 'tablet' },
];
