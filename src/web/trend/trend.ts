/**
 * The MME trend app: the patient's daily MME over the last 180 days with the 50 and 90 lines, each order on a
 * timeline, the 60- and 90-day averages, and every order's derivation (and why any is incomplete). The analysis
 * runs here, in the browser, with the service's own clinical core: the record goes nowhere but this page.
 *
 * Launch modes: SMART EHR launch (`iss` and `launch`), SMART standalone launch (`iss`), the redirect back (`code`,
 * `state`), and in the demo, `patient` alone (the demo's embedded FHIR store).
 */
import { analysisReport } from '../../analysis/analysis-report.ts';
import { analyzeBundle } from '../../analysis/analyze-bundle.ts';
import type { FactorSetId } from '../../domain/opioid/factor-sets.ts';
import { parseIsoDate } from '../../domain/time/day.ts';
import { DEFAULT_TREND_RULES } from '../../domain/trend/trend-rules.ts';
import { trendChart } from './chart.ts';
import { readRecord } from './fhir-client.ts';
import { beginLaunch, completeLaunch } from './smart.ts';
import { byId } from '../shared/browser-util.ts';

interface TrendConfig {
  readonly clientId: string;
  readonly factorSet: FactorSetId;
  readonly windowDays: number;
  /** Asked with a launch's `iss`: the allow-listed FHIR base it names (FHIR_ALLOWED_BASE_URLS), or null. */
  readonly launchFrom?: string | null;
  /** The demo's embedded FHIR store (demo only). */
  readonly demoFhirServer?: string;
  /** The service's date (YYYY-MM-DD): the day its cards are computed for. */
  readonly today: string;
}

interface OrderRow {
  readonly id: string;
  readonly mme: number | null;
  readonly status: string;
  readonly requestStatus: string;
  readonly reasons: readonly string[];
  readonly notes: readonly string[];
  readonly explanation: string;
  readonly product: { readonly name: string | null; readonly rxcui: string | null };
  readonly period: { readonly start: string; readonly end: string; readonly basis: string } | null;
}

/** The part of the analysis report (the same JSON as POST /analysis) the page shows. */
interface Report {
  readonly asOf: string;
  readonly totalMme: number;
  readonly complete: boolean;
  readonly series: readonly { date: string; mme: number; complete?: false }[];
  readonly averages: { readonly last60Days: number; readonly last90Days: number; readonly complete: boolean };
  readonly max: { readonly mme: number; readonly date: string | null; readonly complete: boolean };
  readonly longTermOpioidTherapy: boolean;
  readonly orders: readonly OrderRow[];
  readonly reasons: readonly string[];
  readonly factorSetSource: { readonly title: string; readonly citation: string; readonly url: string };
}

function cell(row: HTMLTableRowElement, text: string, header = false): HTMLTableCellElement {
  const c = document.createElement(header ? 'th' : 'td');
  if (header) c.setAttribute('scope', 'row');
  c.textContent = text;
  row.append(c);
  return c;
}

function patientLine(bundle: Record<string, unknown>, patientId: string): string {
  const entries = (bundle.entry as { resource: Record<string, unknown> }[] | undefined) ?? [];
  const patient = entries
    .map((e) => e.resource)
    .find((r) => r.resourceType === 'Patient' && r.id === patientId);
  const name = (patient?.name as { given?: string[]; family?: string }[] | undefined)?.[0];
  const text = [...(name?.given ?? []), name?.family ?? ''].join(' ').trim();
  const born = typeof patient?.birthDate === 'string' ? `, born ${patient.birthDate}` : '';
  return `${text || `Patient/${patientId}`}${born}`;
}

function figure(list: HTMLElement, term: string, value: string, key: string, data: string): void {
  const wrap = document.createElement('div');
  const dt = document.createElement('dt');
  dt.textContent = term;
  const dd = document.createElement('dd');
  dd.textContent = value;
  dd.dataset.figure = key;
  dd.dataset.value = data;
  wrap.append(dt, dd);
  list.append(wrap);
}

function render(report: Report, problems: readonly string[]): void {
  const unknown = !report.complete;
  const problemList = byId('problems', HTMLUListElement);
  problemList.replaceChildren(
    ...[...problems, ...report.reasons].map((p) => {
      const li = document.createElement('li');
      li.textContent = p;
      return li;
    }),
  );
  const figures = byId('figures', HTMLDListElement);
  figures.replaceChildren();
  figure(
    figures,
    'Current dose',
    unknown ? `unknown (at least ${report.totalMme})` : `${report.totalMme}`,
    'current',
    String(report.totalMme),
  );
  const avgNote = report.averages.complete ? '' : ' (at least: some days unknown)';
  figure(
    figures,
    '60-day average',
    `${report.averages.last60Days}${avgNote}`,
    'average-60',
    String(report.averages.last60Days),
  );
  figure(
    figures,
    '90-day average',
    `${report.averages.last90Days}${avgNote}`,
    'average-90',
    String(report.averages.last90Days),
  );
  figure(
    figures,
    'Highest in window',
    `${report.max.mme}${report.max.date ? ` on ${report.max.date}` : ''}${report.max.complete ? '' : ' (at least: some days unknown)'}`,
    'max',
    String(report.max.mme),
  );
  figure(
    figures,
    'Long-term opioid therapy',
    report.longTermOpioidTherapy ? 'yes' : 'no',
    'ltot',
    String(report.longTermOpioidTherapy),
  );

  const chartBox = byId('chart', HTMLDivElement);
  chartBox.replaceChildren(
    trendChart(
      {
        series: report.series,
        orders: report.orders.flatMap((o) =>
          // Bars are days covered: an order that never counted (entered in error, cancelled, stopped) has none.
          o.period && o.status !== 'excluded' && o.status !== 'inactive'
            ? [
                {
                  id: o.id,
                  label: o.product.name ?? o.id,
                  start: o.period.start,
                  end: o.period.end,
                  mme: o.mme,
                },
              ]
            : [],
        ),
        average60: report.averages.last60Days,
        average90: report.averages.last90Days,
      },
      `Daily MME, ${report.series[0]?.date ?? ''} to ${report.asOf}`,
    ),
  );

  const daily = byId('daily-table', HTMLTableElement).tBodies[0];
  daily?.replaceChildren(
    ...report.series.map((p) => {
      const row = document.createElement('tr');
      row.dataset.date = p.date;
      cell(row, p.date, true);
      cell(row, String(p.mme));
      cell(row, p.complete === false ? 'no: an order of unknown dose covers this day' : 'yes');
      return row;
    }),
  );

  const orders = byId('orders-table', HTMLTableElement).tBodies[0];
  orders?.replaceChildren(
    ...[...report.orders]
      .sort((a, b) => (b.period?.start ?? '').localeCompare(a.period?.start ?? ''))
      .map((o) => {
        const row = document.createElement('tr');
        row.dataset.order = o.id;
        cell(
          row,
          `${o.product.name ?? 'unnamed product'}${o.product.rxcui ? ` (RxCUI ${o.product.rxcui})` : ''}`,
          true,
        );
        cell(row, o.period ? `${o.period.start} to ${o.period.end} (${o.period.basis})` : 'unknown');
        cell(row, `${o.status} (order ${o.requestStatus})`);
        cell(row, o.mme === null ? 'unknown' : String(o.mme));
        cell(row, o.explanation);
        cell(row, [...o.reasons, ...o.notes].join(' ') || '-');
        return row;
      }),
  );
  const source = byId('factor-source', HTMLParagraphElement);
  source.textContent = `Conversion factors: ${report.factorSetSource.title} (${report.factorSetSource.citation}).`;
}

async function show(
  fhirBaseUrl: string,
  patientId: string,
  config: TrendConfig,
  token?: string,
): Promise<void> {
  const status = byId('trend-status', HTMLParagraphElement);
  status.textContent = 'Reading the record...';
  const { bundle, problems } = await readRecord(fhirBaseUrl, patientId, token);
  // The service's day, as the cards were computed, not the browser's.
  const asOf = parseIsoDate(config.today);
  if (asOf === undefined) throw new Error(`the service's date "${config.today}" is not a date`);
  const report = analysisReport(
    analyzeBundle(
      bundle,
      asOf,
      config.factorSet,
      { trend: { ...DEFAULT_TREND_RULES, windowDays: config.windowDays } },
      fhirBaseUrl,
    ),
  ) as unknown as Report;
  byId('patient-line', HTMLSpanElement).textContent = patientLine(bundle, patientId);
  render(report, problems);
  status.textContent = `As of ${report.asOf}. ${report.complete ? '' : 'Some orders have an unknown dose: figures are lower bounds. '}${problems.length > 0 ? 'Parts of the record could not be read (listed below).' : ''}`;
  document.body.dataset.ready = 'true';
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const state = params.get('state');
  const iss = params.get('iss');
  const patient = params.get('patient');
  const response = await fetch(
    iss && !(code && state) ? `trend/config.json?iss=${encodeURIComponent(iss)}` : 'trend/config.json',
  );
  if (!response.ok) throw new Error(`the app's configuration could not be read (HTTP ${response.status})`);
  const config = (await response.json()) as TrendConfig;
  if (code && state) {
    const ctx = await completeLaunch(code, state);
    await show(ctx.fhirBaseUrl, ctx.patientId, config, ctx.accessToken);
  } else if (iss) {
    // Only the FHIR servers the service is set up for (the service compares them as URLs; the allow-listed one is
    // used): a link naming any other would send the user to an authorization server nobody chose.
    if (!config.launchFrom) throw new Error(`this app is not set up for the FHIR server ${iss}`);
    await beginLaunch(config.launchFrom, params.get('launch'), config.clientId);
  } else if (patient && config.demoFhirServer) {
    const demoOrigin = new URL(config.demoFhirServer).origin;
    if (location.origin !== demoOrigin) {
      location.replace(`${demoOrigin}${location.pathname}${location.search}`);
      return;
    }
    await show(config.demoFhirServer, patient, config);
  } else {
    throw new Error('open this page from your EHR (SMART on FHIR launch), or from a card of the demo');
  }
}

main().catch((error: unknown) => {
  const status = document.getElementById('trend-status');
  if (status)
    status.textContent = `The trend could not be shown: ${error instanceof Error ? error.message : String(error)}`;
  document.body.dataset.ready = 'error';
});
