/**
 * What every card shares: the source with a stable topic (Epic remembers overrides by topic code, so codes never
 * change and are alphanumeric), the override reasons, the link to the MME trend, and the data-completeness note.
 */
import type { CardContext, Coding, Link } from './card.types.ts';
import { markdownText } from './markdown-text.ts';

export const CARD_TOPIC_SYSTEM = 'https://opioid-pain-cds.org/fhir/CodeSystem/card-topic';
export const OVERRIDE_REASON_SYSTEM = 'https://opioid-pain-cds.org/fhir/CodeSystem/override-reason';

export type Topic =
  | 'referralmore'
  | 'referralmbtcbt'
  | 'naloxone'
  | 'benzoreview'
  | 'moudevaluation'
  | 'bhsafety'
  | 'ordermme'
  | 'datagap';

const TOPIC_DISPLAY: Record<Topic, string> = {
  referralmore: 'Referral to Mindfulness-Oriented Recovery Enhancement',
  referralmbtcbt: 'Referral to mindfulness-based therapy or CBT',
  naloxone: 'Naloxone co-prescribing',
  benzoreview: 'Opioid and benzodiazepine co-prescribing',
  moudevaluation: 'Evaluation for medication for opioid use disorder',
  bhsafety: 'Behavioural-health safety',
  ordermme: 'MME of the order being placed',
  datagap: 'Opioid check incomplete: orders or doses unknown',
};

export function source(ctx: CardContext, topic: Topic): { label: string; url: string; topic: Coding } {
  return {
    label: 'opioid-pain-cds',
    url: `${ctx.publicBaseUrl}/`,
    topic: { system: CARD_TOPIC_SYSTEM, code: topic, display: TOPIC_DISPLAY[topic] },
  };
}

const reason = (code: string, display: string): Coding => ({ system: OVERRIDE_REASON_SYSTEM, code, display });

export const OVERRIDE_REASONS = {
  referral: [
    reason('patient-declined', 'Patient declined'),
    reason('already-enrolled', 'Already enrolled elsewhere'),
    reason('not-available', 'Not available locally'),
    reason('not-appropriate-now', 'Not clinically appropriate now'),
  ],
  safety: [
    reason('already-addressed', 'Already addressed'),
    reason('patient-declined', 'Patient declined'),
    reason('not-appropriate-now', 'Not clinically appropriate now'),
  ],
  dataGap: [
    reason('already-addressed', 'Already addressed'),
    reason('not-appropriate-now', 'Not clinically appropriate now'),
  ],
} as const;

/**
 * The MME trend app: launched by the EHR as a SMART app (it adds iss and launch to the URL), or in the demo a plain
 * link to the patient's trend.
 */
export function trendLink(ctx: CardContext): Link {
  return ctx.trendLink === 'smart'
    ? { label: 'MME trend and order details', url: `${ctx.publicBaseUrl}/trend`, type: 'smart' }
    : {
        label: 'MME trend and order details',
        url: `${ctx.publicBaseUrl}/trend?patient=${encodeURIComponent(ctx.patientId)}`,
        type: 'absolute',
      };
}

/** What a card lists of what could not be read; the rest is counted. */
export const LISTED_GAPS = 5;

/** A line for card details when some data could not be read. */
export function completenessNote(ctx: CardContext): string {
  if (ctx.partial.length === 0) return '';
  const listed = ctx.partial.slice(0, LISTED_GAPS).join('; ');
  const more = ctx.partial.length - LISTED_GAPS;
  return `\n\n**Data not complete:** ${markdownText(listed)}${more > 0 ? `; and ${more} more` : ''}.`;
}

/** CDS Hooks: summary under 140 characters. Longer text is cut at a word and marked. */
export function summary(text: string): string {
  if (text.length <= 139) return text;
  const cut = text.slice(0, 138);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), 100))}…`;
}

/**
 * The requester of a suggested resource: the user in context when it names a Practitioner or PractitionerRole by a
 * valid FHIR id (a reference that is not one would make the resource invalid); else none.
 */
export function requesterOf(ctx: CardContext): { requester?: { reference: string } } {
  return ctx.userId && /^(Practitioner|PractitionerRole)\/[A-Za-z0-9\-.]{1,64}$/.test(ctx.userId)
    ? { requester: { reference: ctx.userId } }
    : {};
}
