/**
 * Urine drug tests that name one substance, inside the CDC value sets' broader classes: the opiate-specific set holds
 * separate morphine and codeine tests, the fentanyl-type set fentanyl itself beside its illicit analogues,
 * alfentanil/sufentanil and tapentadol. Judging such a test by its class read a negative codeine confirmation as
 * "negative for prescribed morphine", and let a fentanyl patch explain a positive acetyl fentanyl.
 *
 * Source: the LOINC codes of the CDC Opioid Prescribing Guideline CDS IG 2022.1.0 value sets
 * opiate-specific-urine-drug-screening-tests and fentanyl-type-urine-drug-screening-tests (expansion 2023-05-25,
 * CC0), split by the analyte their LOINC display names (metabolites with their parent drug: morphine-6-glucuronide
 * with morphine, norfentanyl with fentanyl, nortapentadol with tapentadol). Despropionylfentanyl (11073-4, 4-ANPP),
 * a fentanyl precursor and minor metabolite, stays with the fentanyl-type class.
 */
export type UdsAnalyte =
  'morphine' | 'codeine' | 'fentanyl' | 'sufentanil' | 'tapentadol' | 'fentanyl-analogue';

/** LOINC codes by analyte, space-separated. */
const CODES: Readonly<Record<UdsAnalyte, string>> = {
  morphine:
    '13648-1 16196-8 16251-1 19597-4 19599-0 19600-6 19601-4 19602-2 19603-0 19604-8 20550-0 3828-1 3829-9 3830-7 3831-5 3832-3 58392-2 70210-0 78768-9 78861-2 89308-1',
  codeine: '13641-6 16197-6 16250-3 19411-8 19413-4 19414-2 3507-1 3508-9 51739-1 58391-4 70206-8 89310-7',
  fentanyl:
    '11075-9 11235-9 26867-2 3637-6 40839-3 43199-9 43200-5 58379-9 58380-7 58381-5 58382-3 58383-1 59673-4 66129-8 67822-7 77775-5 78766-3 78828-1 79259-8 79260-6 95797-7',
  // Alfentanil, sufentanil and norsufentanil: anaesthetic opioids, not what a fentanyl prescription explains.
  sufentanil: '100437-3 16334-5 18383-0 18435-8 86604-6 86610-3 9396-3',
  tapentadol: '101401-8 65808-8 81754-4 89306-5',
  // Acetyl fentanyl, carfentanil's metabolite, acrylfentanyl, furanylfentanyl and the like: never prescribed.
  'fentanyl-analogue':
    '101161-8 101162-6 74372-4 74810-3 93461-2 93462-0 93463-8 93464-6 93465-3 93466-1 93467-9 93468-7 93469-5 93470-3 93471-1 93472-9 93473-7 99079-6 99081-2',
};

const BY_CODE: ReadonlyMap<string, UdsAnalyte> = new Map(
  (Object.entries(CODES) as [UdsAnalyte, string][]).flatMap(([analyte, codes]) =>
    codes.split(' ').map((code) => [code, analyte] as const),
  ),
);

/** The one substance a LOINC urine test names, when it names one of these. */
export function udsAnalyte(loinc: string): UdsAnalyte | undefined {
  return BY_CODE.get(loinc);
}
