/**
 * The CDS Hooks 2.0 request (https://cds-hooks.hl7.org/2.0/#http-request_1): hook, hookInstance (UUID), context
 * (patientId required by the hooks this service answers), optional fhirServer, fhirAuthorization and prefetch (each
 * key a FHIR resource, or null for "no data").
 */
import { z } from 'zod';
import { FHIR_ID } from '../fhir/reference-target.ts';

/** A FHIR resource id (http://hl7.org/fhir/R4/datatypes.html#id): what a reference to the patient is made of. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A prefetch value: a FHIR resource (its other fields are read later, field by field) or null for "no data". */
type PrefetchValue = { resourceType: string; [field: string]: unknown } | null;

const isPrefetchValue = (value: unknown): value is PrefetchValue =>
  value === null ||
  (typeof value === 'object' &&
    !Array.isArray(value) &&
    typeof (value as { resourceType?: unknown }).resourceType === 'string');

/**
 * Whether a text is visible ASCII without spaces: what a Bearer token is made of (RFC 6750 b64token, and the
 * token68 of RFC 9110, are narrower). A control character (CR, LF) would split the Authorization header, a space
 * end the token, and a character above U+00FF could not be sent in a header at all.
 */
function isVisibleAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x21 || code > 0x7e) return false;
  }
  return true;
}

export const HookRequestSchema = z
  .looseObject(
    {
      hook: z.string({ error: 'is required (the hook name)' }).min(1),
      hookInstance: z.string({ error: 'is required (a UUID)' }).regex(UUID, { error: 'must be a UUID' }),
      fhirServer: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
      fhirAuthorization: z
        .looseObject(
          {
            access_token: z
              .string({ error: 'is required' })
              .min(1)
              // Sent as an HTTP header (Authorization: Bearer ...).
              .refine(isVisibleAscii, { error: 'must be visible ASCII without spaces (RFC 6750)' }),
            token_type: z
              .string({ error: 'is required ("Bearer")' })
              .regex(/^bearer$/i, { error: 'must be "Bearer"' }),
            expires_in: z
              .number({ error: 'must be a number of seconds' })
              .nonnegative({ error: 'must be a number of seconds, not negative' })
              .optional(),
            scope: z.string().optional(),
            subject: z.string().optional(),
          },
          { error: 'must be an object {access_token, token_type, expires_in, scope, subject}' },
        )
        .optional(),
      context: z.looseObject(
        {
          patientId: z.string({ error: 'is required' }).regex(FHIR_ID, {
            error: 'must be a FHIR id (1-64 letters, digits, "-" or ".", not dots alone)',
          }),
          userId: z.string().min(1).optional(),
          encounterId: z.string().optional(),
        },
        { error: 'is required and must be an object' },
      ),
      prefetch: z
        .record(
          z.string(),
          // Checked in place: an object schema would return a shallow copy of each prefetched resource.
          z.custom<PrefetchValue>(isPrefetchValue, {
            error: 'must be a FHIR resource (an object with a resourceType) or null',
          }),
          {
            error: 'must map each key to a FHIR resource or null',
          },
        )
        .optional(),
    },
    { error: 'the request body must be a CDS Hooks request object' },
  )
  // CDS Hooks 2.0: fhirServer is required when fhirAuthorization is given - a token is for a server.
  // A refine, not a superRefine: zod's superRefine hangs a closure on each parse's payload, which kept every
  // request's parsed body alive through young-generation collections (docs/adr/0016-no-superrefine-on-requests.md).
  .refine((request) => request.fhirAuthorization === undefined || request.fhirServer !== undefined, {
    path: ['fhirServer'],
    error: 'is required when fhirAuthorization is given (the token is for that FHIR server)',
  });

export type HookRequest = z.infer<typeof HookRequestSchema>;
