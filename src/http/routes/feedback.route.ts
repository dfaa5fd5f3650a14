/**
 * CDS Hooks feedback (POST /cds-services/{id}/feedback): what the clinician did with each card. Stored durably and
 * idempotently (the same item twice is stored once) and acknowledged only after the commit; 503 with Retry-After
 * when the store cannot take it. Accepts the spec's `overrideReason` and Epic's `overrideReasons`, and card ids that
 * are not UUIDs.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { describeIssues } from '../../analysis/analysis-request.schema.ts';
import { findService } from '../../cds-services/registry.ts';
import type { FeedbackItem, Store } from '../../storage/store.ts';
import { badRequest, HttpError } from '../http-error.ts';
import { addLogFacts } from '../plugins/request-log.plugin.ts';

/** A string that is stored: PostgreSQL text cannot hold NUL, and refuses the whole transaction for one. */
const stored = (max: number, params?: { error: string }): z.ZodString =>
  z
    .string(params)
    .max(max)
    .refine((s) => !s.includes('\0'), { error: 'must not contain NUL (\\u0000)' });

/**
 * A date-time PostgreSQL can keep: ISO 8601 with a real calendar date (the ISO check), a year 1900-9999 and an offset
 * of at most 14:00 (the widest in use; PostgreSQL refuses year 0 and offsets past 15:59 with the whole batch). The
 * range checks read the string's parts, so they run only on an ISO date-time.
 */
const Timestamp = z.iso
  .datetime({ offset: true, local: true, error: 'must be an ISO date-time', abort: true })
  .refine((t) => Number(t.slice(0, 4)) >= 1900, { error: 'must be in the years 1900-9999' })
  .refine(
    (t) => {
      const offset = /[+-](\d{2}):?(\d{2})$/.exec(t);
      return !offset || Number(offset[1]) * 60 + Number(offset[2]) <= 14 * 60;
    },
    { error: 'must have a UTC offset within -14:00 and +14:00' },
  );

const Coding = z.looseObject({
  code: stored(200).optional(),
  system: stored(500).optional(),
});
/** Bounds on what one request may store: an item per card and reason, at most MAX_STORED of them. */
const MAX_REASONS = 20;
const MAX_STORED = 2000;
const OverrideReason = z.looseObject({ reason: Coding.optional(), userComment: z.string().optional() });
/** An entry of Epic's `overrideReasons`: an OverrideReason, or a bare Coding; every field checked either way. */
const ReasonEntry = OverrideReason.extend(Coding.shape);

const FeedbackSchema = z.looseObject(
  {
    feedback: z
      .array(
        z.looseObject({
          card: stored(200, { error: 'is required (the card uuid)' }).min(1),
          outcome: z.enum(['accepted', 'overridden'], { error: 'must be "accepted" or "overridden"' }),
          acceptedSuggestions: z
            .array(z.looseObject({ id: stored(200).min(1) }))
            .max(50, { error: 'holds at most 50 suggestions per card' })
            .optional(),
          overrideReason: OverrideReason.optional(),
          overrideReasons: z
            .array(ReasonEntry)
            .max(MAX_REASONS, { error: `holds at most ${MAX_REASONS} reasons per card` })
            .optional(),
          // The spec's time is UTC: one without an offset is read as UTC, not refused with the whole batch.
          outcomeTimestamp: Timestamp.optional(),
        }),
        { error: 'must be a list of feedback items' },
      )
      .min(1, { error: 'must hold at least one item' })
      .max(1000, { error: 'holds at most 1000 items per request' }),
  },
  { error: 'the request body must be {"feedback": [...]}' },
);

type Raw = z.infer<typeof FeedbackSchema>['feedback'][number];

/** A date-time without an offset, as CDS Hooks defines outcomeTimestamp: in UTC. */
const asUtc = (timestamp: string): string =>
  /(?:Z|[+-]\d{2}:?\d{2})$/i.test(timestamp) ? timestamp : `${timestamp}Z`;

function normalise(item: Raw): FeedbackItem[] {
  const base = {
    cardId: item.card,
    outcome: item.outcome,
    ...(item.outcomeTimestamp ? { outcomeTimestamp: asUtc(item.outcomeTimestamp) } : {}),
    acceptedSuggestions: (item.acceptedSuggestions ?? []).map((s) => s.id),
  };
  // Epic sends several reasons: one stored item each (the same card overridden for two reasons counts for both).
  const reasons = [
    ...(item.overrideReason ? [item.overrideReason] : []),
    ...(item.overrideReasons ?? []).map((r) =>
      r.reason !== undefined || r.userComment !== undefined
        ? r
        : { reason: { code: r.code, system: r.system } },
    ),
  ] as z.infer<typeof OverrideReason>[];
  if (reasons.length === 0) return [{ ...base, hasUserComment: false }];
  return reasons.map((r) => ({
    ...base,
    overrideReason: { code: r.reason?.code, system: r.reason?.system },
    hasUserComment: typeof r.userComment === 'string' && r.userComment.trim() !== '',
  }));
}

export function feedbackRoute(app: FastifyInstance, store: Store | undefined): void {
  app.post<{ Params: { id: string } }>('/cds-services/:id/feedback', async (request) => {
    const service = findService(request.params.id);
    if (!service)
      throw new HttpError(
        404,
        `no CDS service "${request.params.id.slice(0, 64)}"; GET /cds-services lists them`,
      );
    const parsed = FeedbackSchema.safeParse(request.body);
    if (!parsed.success) throw badRequest(describeIssues(parsed.error, request.body));
    if (!store) throw new HttpError(503, 'feedback storage is not available');
    const items = parsed.data.feedback.flatMap(normalise);
    if (items.length > MAX_STORED)
      throw badRequest(
        `feedback: at most ${MAX_STORED} card outcomes and override reasons per request (this one has ${items.length}); send them in several requests`,
      );
    let result;
    try {
      result = await store.saveFeedback(service.definition.id, items);
    } catch (error) {
      // One transaction: nothing of the batch was kept, and what is sent again is stored once. The EHR may retry.
      request.log.warn({ err: error }, 'feedback could not be stored');
      throw new HttpError(503, 'feedback storage is not available; retry shortly');
    }
    addLogFacts(request, {
      cdsService: service.definition.id,
      feedback: items.length,
      duplicates: result.duplicates,
    });
    return {};
  });
}
