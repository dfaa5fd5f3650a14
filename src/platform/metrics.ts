/**
 * Prometheus metrics, one registry per app (GET /metrics): hook latency per service and hook, cards by type, FHIR
 * read latency and errors, authentication failures, requests shed under load. Labels are fixed vocabularies (service
 * ids, card topics, reasons), never patient data or URLs.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly hookDuration = new Histogram({
    name: 'cds_hook_duration_seconds',
    help: 'Time to answer a CDS Hooks call',
    labelNames: ['service', 'hook', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly hookAnswers = new Counter({
    name: 'cds_hook_calls_total',
    help: 'CDS Hooks calls, by where they were answered: the event loop, or a hook thread (HOOK_THREADS)',
    labelNames: ['where'] as const,
    registers: [this.registry],
  });
  readonly cards = new Counter({
    name: 'cds_cards_total',
    help: 'Cards returned, by card type (source.topic code)',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  readonly fhirDuration = new Histogram({
    name: 'cds_fhir_request_duration_seconds',
    help: 'Time of each FHIR read from an EHR server',
    labelNames: ['outcome'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly fhirErrors = new Counter({
    name: 'cds_fhir_request_errors_total',
    help: 'FHIR reads that failed, by kind',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly authFailures = new Counter({
    name: 'cds_auth_failures_total',
    help: 'Calls refused by EHR authentication, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly shed = new Counter({
    name: 'cds_requests_shed_total',
    help: 'Requests answered 503 because the service was at its in-flight limit',
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** The kind of a FHIR read failure, from its message (a small fixed vocabulary). */
  static fhirErrorKind(message: string): string {
    if (/deadline/.test(message)) return 'deadline';
    if (/redirect/.test(message)) return 'redirect';
    if (/larger than allowed/.test(message)) return 'too-large';
    if (/answered \d+/.test(message)) return 'status';
    if (/outside the allowed/.test(message)) return 'outside-allow-list';
    if (/not a FHIR resource/.test(message)) return 'not-fhir';
    return 'unreachable';
  }
}
