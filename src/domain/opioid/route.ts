/**
 * Dosage.route -> the dose-form category it implies, and the dose form an order's MME is converted for.
 *
 * The product's dose form (from RxNorm or Medication.form) decides. The route matters when the product says
 * nothing - an order coded by its ingredient alone ("7052 morphine") or named in text: morphine 4 mg every 4 hours
 * by the intravenous route must not be converted with the oral factor (ADR 0003: parenteral doses have no clinical
 * factor). A parenteral route on a product that is not parenteral is a contradiction the engine cannot resolve: the
 * order's MME is then unknown, with the reason.
 *
 * Route codes: SNOMED CT "Route of administration value" concepts, as in the FHIR R4 value set
 * http://hl7.org/fhir/ValueSet/route-codes; abbreviations as EHRs show them (PO, IV, IM, SC/SQ, SL, PR, TD).
 */
import { systemKey } from '../terminology/code-systems.ts';
import { classifyDoseForm, type DoseFormCategory } from './dose-form.ts';
import type { SigInput } from './order.types.ts';

export type RouteInput = NonNullable<SigInput['route']>;

const SNOMED_ROUTES = new Map<string, DoseFormCategory>([
  ['26643006', 'oral'], // Oral route
  ['47625008', 'parenteral'], // Intravenous route
  ['78421000', 'parenteral'], // Intramuscular route
  ['34206005', 'parenteral'], // Subcutaneous route
  ['404820008', 'parenteral'], // Epidural route
  ['72607000', 'parenteral'], // Intrathecal route
  ['58100008', 'parenteral'], // Intra-arterial route
  ['45890007', 'transdermal'], // Transdermal route
  ['37161004', 'rectal'], // Per rectum
  ['37839007', 'transmucosal-tablet'], // Sublingual route
  ['54471007', 'transmucosal-tablet'], // Buccal route
  ['46713006', 'nasal-spray'], // Nasal route
  ['6064005', 'other'], // Topical route
  ['447694001', 'other'], // Respiratory tract route
]);

const ABBREVIATIONS = new Map<string, DoseFormCategory>([
  ['PO', 'oral'],
  ['IV', 'parenteral'],
  ['IVP', 'parenteral'],
  ['IVPB', 'parenteral'],
  ['IM', 'parenteral'],
  ['SC', 'parenteral'],
  ['SQ', 'parenteral'],
  ['SUBQ', 'parenteral'],
  ['SUBCUT', 'parenteral'],
  ['SL', 'transmucosal-tablet'],
  ['BUCC', 'transmucosal-tablet'],
  ['PR', 'rectal'],
  ['TD', 'transdermal'],
]);

function fromText(text: string | undefined): DoseFormCategory {
  if (text === undefined) return 'unknown';
  const abbreviation = ABBREVIATIONS.get(text.trim().toUpperCase());
  if (abbreviation !== undefined) return abbreviation;
  const category = classifyDoseForm(text);
  if (category !== 'unknown') return category;
  const lower = text.toLowerCase();
  if (/rectum/.test(lower)) return 'rectal';
  if (/by mouth|\bmouth\b|swallow/.test(lower)) return 'oral';
  return 'unknown';
}

/** The category a route names: its SNOMED code first, then any coding's code or display, then its text. */
export function classifyRoute(route: RouteInput): DoseFormCategory {
  for (const c of route.codings) {
    if (c.code !== undefined && systemKey(c.system) === 'snomed') {
      const category = SNOMED_ROUTES.get(c.code);
      if (category !== undefined) return category;
    }
  }
  for (const c of route.codings) {
    const category = fromText(c.code) === 'unknown' ? fromText(c.display) : fromText(c.code);
    if (category !== 'unknown') return category;
  }
  return fromText(route.text);
}

function routeName(route: RouteInput): string {
  return (
    route.text ?? route.codings.find((c) => c.display !== undefined)?.display ?? route.codings[0]?.code ?? '?'
  );
}

export interface OrderDoseForm {
  readonly doseForm: DoseFormCategory;
  /** Said with the order's dose: where the form came from, when the route decided it. */
  readonly note?: string;
  /** The route contradicts the product: the order's doses have no factor, for this reason. */
  readonly conflict?: string;
}

/**
 * The dose form an order's doses convert for: the product's, else the one its instructions' routes agree on
 * (any parenteral route makes it parenteral). A parenteral route on a product of another known form is a conflict.
 */
export function orderDoseForm(
  productForm: DoseFormCategory,
  productFormText: string | undefined,
  sigs: readonly SigInput[],
): OrderDoseForm {
  const routes = new Map<DoseFormCategory, string>();
  for (const s of sigs) {
    if (s.route === undefined) continue;
    const category = classifyRoute(s.route);
    if (category !== 'unknown' && !routes.has(category)) routes.set(category, routeName(s.route));
  }
  const parenteral = routes.get('parenteral');
  if (productForm !== 'unknown') {
    if (parenteral !== undefined && productForm !== 'parenteral') {
      return {
        doseForm: productForm,
        conflict: `the route (${parenteral}) is parenteral but the product is ${productFormText ?? productForm}: which was given is unknown`,
      };
    }
    return { doseForm: productForm };
  }
  // Instructions naming different non-parenteral routes (oral and rectal) leave the form unknown.
  const routed: readonly [DoseFormCategory, string] | undefined =
    parenteral !== undefined ? ['parenteral', parenteral] : routes.size === 1 ? [...routes][0] : undefined;
  if (routed === undefined) return { doseForm: productForm };
  return { doseForm: routed[0], note: `dose form taken from the route (${routed[1]}): ${routed[0]}` };
}
