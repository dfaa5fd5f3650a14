/**
 * Opioid ingredients the engine recognises, keyed by RxNorm ingredient (IN) RxCUI, with the salt and base names
 * that appear in RxNorm normalized names ("oxycodone hydrochloride 5 MG Oral Tablet"). Everything else in a
 * multi-ingredient product (acetaminophen, aspirin, naloxone...) is not an opioid and is not counted.
 * RxCUIs from NLM RxNorm (ingredient term type IN); the ones we could not confirm are left null rather than guessed.
 */
export interface OpioidIngredient {
  readonly rxcui: string | null;
  readonly name: string;
  /** Lower-case names as written in RxNorm, base first. */
  readonly names: readonly string[];
}

const INGREDIENTS: readonly OpioidIngredient[] = [
  {
    rxcui: '2670',
    name: 'codeine',
    names: ['codeine', 'codeine phosphate', 'codeine sulfate', 'codeine polistirex'],
  },
  { rxcui: '4337', name: 'fentanyl', names: ['fentanyl', 'fentanyl citrate', 'fentanyl hydrochloride'] },
  {
    rxcui: '5489',
    name: 'hydrocodone',
    names: ['hydrocodone', 'hydrocodone bitartrate', 'hydrocodone polistirex', 'hydrocodone hydrochloride'],
  },
  { rxcui: '3423', name: 'hydromorphone', names: ['hydromorphone', 'hydromorphone hydrochloride'] },
  { rxcui: '6813', name: 'methadone', names: ['methadone', 'methadone hydrochloride'] },
  {
    rxcui: '7052',
    name: 'morphine',
    names: [
      'morphine',
      'morphine sulfate',
      'morphine hydrochloride',
      'morphine sulfate pentahydrate',
      'morphine sulfate liposomal',
    ],
  },
  {
    rxcui: '7804',
    name: 'oxycodone',
    names: ['oxycodone', 'oxycodone hydrochloride', 'oxycodone terephthalate', 'oxycodone myristate'],
  },
  { rxcui: '7814', name: 'oxymorphone', names: ['oxymorphone', 'oxymorphone hydrochloride'] },
  { rxcui: '787390', name: 'tapentadol', names: ['tapentadol', 'tapentadol hydrochloride'] },
  { rxcui: '10689', name: 'tramadol', names: ['tramadol', 'tramadol hydrochloride'] },
  { rxcui: '1819', name: 'buprenorphine', names: ['buprenorphine', 'buprenorphine hydrochloride'] },
  { rxcui: '6754', name: 'meperidine', names: ['meperidine', 'meperidine hydrochloride', 'pethidine'] },
  { rxcui: '6378', name: 'levorphanol', names: ['levorphanol', 'levorphanol tartrate'] },
  {
    rxcui: '8001',
    name: 'pentazocine',
    names: ['pentazocine', 'pentazocine hydrochloride', 'pentazocine lactate'],
  },
  { rxcui: '1841', name: 'butorphanol', names: ['butorphanol', 'butorphanol tartrate'] },
  { rxcui: '23088', name: 'dihydrocodeine', names: ['dihydrocodeine', 'dihydrocodeine bitartrate'] },
  { rxcui: '7676', name: 'opium', names: ['opium', 'opium tincture'] },
  { rxcui: '7238', name: 'nalbuphine', names: ['nalbuphine', 'nalbuphine hydrochloride'] },
  {
    rxcui: '8785',
    name: 'propoxyphene',
    names: ['propoxyphene', 'propoxyphene hydrochloride', 'propoxyphene napsylate'],
  },
  { rxcui: '237005', name: 'levomethadyl', names: ['levomethadyl', 'levomethadyl acetate'] },
  { rxcui: null, name: 'benzhydrocodone', names: ['benzhydrocodone', 'benzhydrocodone hydrochloride'] },
  { rxcui: null, name: 'heroin', names: ['heroin', 'diamorphine', 'diacetylmorphine'] },
  { rxcui: null, name: 'dipipanone', names: ['dipipanone', 'dipipanone hydrochloride'] },
  { rxcui: null, name: 'meptazinol', names: ['meptazinol'] },
  { rxcui: null, name: 'pholcodine', names: ['pholcodine'] },
  { rxcui: null, name: 'dextromoramide', names: ['dextromoramide'] },
  { rxcui: null, name: 'sufentanil', names: ['sufentanil', 'sufentanil citrate'] },
  { rxcui: null, name: 'alfentanil', names: ['alfentanil', 'alfentanil hydrochloride'] },
  { rxcui: null, name: 'remifentanil', names: ['remifentanil', 'remifentanil hydrochloride'] },
];

const byRxcui = new Map<string, OpioidIngredient>();
const byName = new Map<string, OpioidIngredient>();
for (const ingredient of INGREDIENTS) {
  if (ingredient.rxcui) byRxcui.set(ingredient.rxcui, ingredient);
  for (const name of ingredient.names) byName.set(name, ingredient);
}

export function opioidIngredientByRxcui(rxcui: string): OpioidIngredient | undefined {
  return byRxcui.get(rxcui);
}

/** Exact match on a (lower-cased, trimmed) ingredient name such as "oxycodone hydrochloride". */
export function opioidIngredientByName(name: string): OpioidIngredient | undefined {
  return byName.get(name.trim().toLowerCase().replace(/\s+/g, ' '));
}

/** The first opioid ingredient named anywhere in free text ("Percocet (oxycodone/APAP) 5/325"), if any. */
export function opioidIngredientInText(text: string): OpioidIngredient | undefined {
  const words = text.toLowerCase().split(/[^a-z]+/);
  for (const word of words) {
    const hit = byName.get(word);
    if (hit) return hit;
  }
  return undefined;
}
