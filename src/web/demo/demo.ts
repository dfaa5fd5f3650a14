/**
 * The demo EHR page: picks a synthetic patient, fires patient-view and order-sign as an EHR would (signed JWT,
 * fhirServer = the demo's embedded FHIR store, with its fhirAuthorization), shows the cards, and on accept or
 * dismiss sends CDS Hooks feedback and, for an accepted referral, creates the drafted ServiceRequest in the store as
 * the EHR would.
 */
import { showCards, type Card, type CardActions } from '../shared/cards-view.ts';
import { ehrToken, importSigningKey, type SigningKey } from '../shared/ehr-token.ts';
import { byId, localToday } from '../shared/browser-util.ts';

interface Session {
  readonly fhirServer: string;
  /** Passed with each hook call: the service reads the store only with a token. */
  readonly fhirAuthorization: Readonly<Record<string, string | number>>;
  readonly issuer: string;
  readonly signingKey: JsonWebKey & { kid?: string };
  readonly userId: string;
  readonly services: { readonly patientView: string; readonly orderSign: string };
}

interface PatientSummary {
  readonly id: string;
  readonly name: string;
  readonly age: number | null;
  readonly gender: string | null;
  readonly painConditions: readonly string[];
  readonly currentMme: number;
  readonly mmeComplete: boolean;
  readonly title: string;
}

interface OrderOption {
  readonly rxcui: string;
  readonly name: string;
  readonly unit: string;
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

/** The error message a JSON error body (the service's, or a FHIR OperationOutcome) carries, else the status. */
async function problem(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { message?: string; issue?: { diagnostics?: string }[] };
    return `HTTP ${response.status}: ${body.message ?? body.issue?.[0]?.diagnostics ?? response.statusText}`;
  } catch {
    return `HTTP ${response.status}`;
  }
}

export function mmeText(p: Pick<PatientSummary, 'currentMme' | 'mmeComplete'>): string {
  if (p.mmeComplete) return `${p.currentMme} MME/day`;
  return `unknown (at least ${p.currentMme} MME/day from the orders whose dose is known)`;
}

async function main(): Promise<void> {
  const session = await getJson<Session>('demo/api/session');
  // Tokens name the service's public URL as their audience: the page must run there (not under another host name).
  const publicOrigin = new URL(session.fhirServer).origin;
  if (location.origin !== publicOrigin) {
    location.replace(`${publicOrigin}${location.pathname}${location.search}`);
    return;
  }
  const signing: SigningKey = await importSigningKey(session.issuer, session.signingKey);
  const patients = await getJson<PatientSummary[]>('demo/api/patients');
  const options = await getJson<OrderOption[]>('demo/api/order-options');

  const patientSelect = byId('patient', HTMLSelectElement);
  const facts = byId('patient-facts', HTMLDListElement);
  const trendLink = byId('trend-link', HTMLAnchorElement);
  const status = byId('call-status', HTMLParagraphElement);
  const cardsBox = byId('cards', HTMLDivElement);
  const raw = byId('raw-response', HTMLPreElement);
  const drug = byId('order-drug', HTMLSelectElement);

  patientSelect.replaceChildren(
    ...patients.map((p) => {
      const option = document.createElement('option');
      option.value = p.id;
      option.textContent = `${p.name}, ${p.age ?? '?'} y - ${mmeText(p)}`;
      return option;
    }),
  );
  drug.replaceChildren(
    ...options.map((o) => {
      const option = document.createElement('option');
      option.value = o.rxcui;
      option.textContent = o.name;
      return option;
    }),
  );
  const current = (): PatientSummary | undefined => patients.find((p) => p.id === patientSelect.value);
  const showFacts = (): void => {
    const p = current();
    facts.replaceChildren();
    if (!p) return;
    const rows: [string, string][] = [
      ['Age', p.age === null ? 'unknown' : `${p.age} years`],
      ['Sex', p.gender ?? 'unknown'],
      ['Pain condition', p.painConditions.length > 0 ? p.painConditions.join('; ') : 'none recorded'],
      ['Current dose', mmeText(p)],
      ['Synthetic case', p.title],
    ];
    for (const [term, value] of rows) {
      const dt = document.createElement('dt');
      dt.textContent = term;
      const dd = document.createElement('dd');
      dd.textContent = value;
      facts.append(dt, dd);
    }
    trendLink.href = `trend?patient=${encodeURIComponent(p.id)}`;
  };
  // Each call, and each change of patient, makes the answers of earlier calls stale: they are not shown.
  let latestCall = 0;
  patientSelect.addEventListener('change', () => {
    latestCall++;
    showFacts();
    cardsBox.replaceChildren();
    cardsBox.removeAttribute('aria-busy');
    raw.textContent = '';
    status.textContent = 'Open the chart or sign an order to call the service.';
  });
  showFacts();

  const post = async (path: string, body: unknown): Promise<Response> => {
    const url = new URL(path, location.href).href;
    return fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${await ehrToken(signing, url)}`,
      },
      body: JSON.stringify(body),
    });
  };

  const sendFeedback = async (serviceId: string, item: Record<string, unknown>): Promise<void> => {
    const response = await post(`cds-services/${serviceId}/feedback`, { feedback: [item] });
    if (!response.ok) throw new Error(await problem(response));
  };

  const actionsFor = (serviceId: string): CardActions => ({
    async accept(card, suggestion) {
      await sendFeedback(serviceId, {
        card: card.uuid,
        outcome: 'accepted',
        acceptedSuggestions: suggestion.uuid ? [{ id: suggestion.uuid }] : [],
        outcomeTimestamp: new Date().toISOString(),
      });
      const created: string[] = [];
      for (const action of suggestion.actions ?? []) {
        const resource = action.resource as { resourceType?: string } | undefined;
        if (action.type !== 'create' || resource?.resourceType !== 'ServiceRequest') continue;
        // The EHR puts the drafted referral in the order queue and the clinician signs it: the demo does both.
        const signed = {
          ...resource,
          status: 'active',
          intent: 'order',
          authoredOn: new Date().toISOString(),
        };
        const response = await fetch(`${session.fhirServer}/ServiceRequest`, {
          method: 'POST',
          headers: { 'content-type': 'application/fhir+json' },
          body: JSON.stringify(signed),
        });
        if (!response.ok) throw new Error(`the referral could not be created: ${await problem(response)}`);
        const saved = (await response.json()) as { id: string };
        created.push(`ServiceRequest/${saved.id}`);
      }
      return `Accepted "${suggestion.label}". Feedback sent.${created.length > 0 ? ` Referral ordered: ${created.join(', ')}.` : ''}`;
    },
    async dismiss(card, reason) {
      await sendFeedback(serviceId, {
        card: card.uuid,
        outcome: 'overridden',
        ...(reason ? { overrideReason: { reason } } : {}),
        outcomeTimestamp: new Date().toISOString(),
      });
      return `Dismissed${reason ? ` (${reason.display ?? reason.code})` : ''}. Feedback sent.`;
    },
  });

  const fire = async (serviceId: string, hook: string, context: Record<string, unknown>): Promise<void> => {
    const p = current();
    if (!p) return;
    const call = ++latestCall;
    const stale = (): boolean => call !== latestCall;
    status.textContent = `Calling ${hook} for ${p.name}...`;
    cardsBox.replaceChildren();
    cardsBox.setAttribute('aria-busy', 'true');
    try {
      const response = await post(`cds-services/${serviceId}`, {
        hook,
        hookInstance: crypto.randomUUID(),
        fhirServer: session.fhirServer,
        fhirAuthorization: session.fhirAuthorization,
        context: { userId: session.userId, patientId: p.id, ...context },
      });
      if (stale()) return;
      if (!response.ok) {
        status.textContent = `The service answered ${await problem(response)}`;
        return;
      }
      const body = (await response.json()) as { cards: Card[] };
      if (stale()) return;
      raw.textContent = JSON.stringify(body, null, 2);
      status.textContent = `${hook}: ${body.cards.length} card${body.cards.length === 1 ? '' : 's'} for ${p.name}.`;
      showCards(cardsBox, body.cards, actionsFor(serviceId));
    } catch (error) {
      if (!stale())
        status.textContent = `The call failed: ${error instanceof Error ? error.message : String(error)}`;
    } finally {
      if (!stale()) cardsBox.removeAttribute('aria-busy');
    }
  };

  byId('fire-patient-view', HTMLButtonElement).addEventListener('click', () => {
    void fire(session.services.patientView, 'patient-view', {});
  });
  byId('order-form', HTMLFormElement).addEventListener('submit', (event) => {
    event.preventDefault();
    const p = current();
    const option = options.find((o) => o.rxcui === drug.value);
    if (!p || !option) return;
    const tablets = Number(byId('order-tablets', HTMLInputElement).value);
    const every = Number(byId('order-every', HTMLSelectElement).value);
    const days = Number(byId('order-days', HTMLInputElement).value);
    const perDay = (tablets * 24) / every;
    const draft = {
      resourceType: 'MedicationRequest',
      id: `draft-${crypto.randomUUID()}`,
      status: 'draft',
      intent: 'order',
      subject: { reference: `Patient/${p.id}` },
      authoredOn: localToday(),
      requester: { reference: session.userId },
      medicationCodeableConcept: {
        coding: [
          { system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: option.rxcui, display: option.name },
        ],
        text: option.name,
      },
      dosageInstruction: [
        {
          text: `${tablets} ${option.unit}${tablets === 1 ? '' : 's'} ${every === 24 ? 'once a day' : `every ${every} hours`}`,
          timing: { repeat: { frequency: 1, period: every, periodUnit: 'h' } },
          doseAndRate: [{ doseQuantity: { value: tablets, unit: option.unit } }],
        },
      ],
      dispenseRequest: {
        quantity: { value: Math.ceil(perDay * days), unit: option.unit },
        expectedSupplyDuration: { value: days, unit: 'days', system: 'http://unitsofmeasure.org', code: 'd' },
      },
    };
    void fire(session.services.orderSign, 'order-sign', {
      draftOrders: { resourceType: 'Bundle', type: 'collection', entry: [{ resource: draft }] },
    });
  });

  patientSelect.disabled = false;
  byId('fire-patient-view', HTMLButtonElement).disabled = false;
  byId('fire-order-sign', HTMLButtonElement).disabled = false;
  document.body.dataset.ready = 'true';
}

main().catch((error: unknown) => {
  const status = document.getElementById('call-status');
  if (status)
    status.textContent = `The demo could not start: ${error instanceof Error ? error.message : String(error)}`;
});
