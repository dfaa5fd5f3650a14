/** A CDS service is its discovery definition plus the handler that turns a hook request into cards. */
import type { z } from 'zod';
import type { Card } from '../cards/card.types.ts';
import type { FactorSetId } from '../domain/opioid/factor-sets.ts';
import type { TrendRules } from '../domain/trend/trend-rules.ts';
import type { Json } from '../fhir/json-read.ts';
import type { Gathered, PrefetchSpec } from '../fhir/fhir-gateway.ts';

export type HookName = 'patient-view' | 'order-select' | 'order-sign';

export interface CdsServiceDefinition {
  readonly id: string;
  readonly hook: HookName;
  readonly title: string;
  readonly description: string;
  readonly prefetch: Readonly<Record<string, string>>;
  readonly usageRequirements?: string;
}

/** The parts of a hook request a handler reads, after validation. */
export interface HookCall {
  readonly hookInstance: string;
  readonly context: Readonly<Record<string, unknown>> & {
    readonly patientId: string;
    readonly userId?: string;
  };
  /** context.draftOrders for the order hooks, already narrowed to the selections for order-select. */
  readonly draftResources: readonly Json[];
  /** The fullUrl of each draftOrders entry that has one, by its resource (a draft names its Medication by it). */
  readonly draftFullUrls?: ReadonlyMap<Json, string>;
  /** The EHR's FHIR server, where its resources (prefetched or read) come from, when the call names one. */
  readonly fhirServer?: string;
}

export interface HandlerDeps {
  /** "YYYY-MM-DD" today in the clinic's time zone. */
  readonly today: string;
  readonly factorSet: FactorSetId;
  readonly trendRules: TrendRules;
  readonly publicBaseUrl: string;
  readonly trendLink: 'smart' | 'absolute';
  readonly newId: () => string;
}

export interface CdsService {
  readonly definition: CdsServiceDefinition;
  /** The data the service reads; definition.prefetch advertises the same templates. */
  readonly prefetch: readonly PrefetchSpec[];
  /** Extra rules for this hook's context (draftOrders, selections), on top of the common request schema. */
  readonly contextSchema: z.ZodType;
  handle(call: HookCall, data: Gathered, deps: HandlerDeps): HookResult;
}

/** The cards, and what the decision was, for the audit record (never sent to the EHR). */
export interface HookResult {
  readonly cards: Card[];
  readonly decision: DecisionSummary | null;
}

export interface DecisionSummary {
  readonly flags: readonly string[];
  readonly recommendation: string;
  readonly suppressed: boolean;
  /** The current dose is known (no order with an unknown dose in effect). */
  readonly complete: boolean;
  /** Results the rules could not read (risk.unread): the flags may be incomplete. */
  readonly unreadResults: number;
}
