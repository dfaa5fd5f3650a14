/**
 * Logger options. Logs carry structure (request id, route, status, counts), never patients: no bodies, and
 * credentials and clinical payload keys are redacted wherever they appear.
 */
import type { LoggerOptions } from 'pino';

export const REDACTED_PATHS: readonly string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.authorization',
  '*.fhirAuthorization',
  '*.access_token',
  '*.prefetch',
  '*.context',
  '*.bundle',
  '*.resource',
  '*.patient',
];

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
    base: { service: 'opioid-pain-cds' },
  };
}
