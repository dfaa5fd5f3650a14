/** CDS Hooks 2.0 card JSON (https://cds-hooks.hl7.org/2.0/#card-attributes), as this service emits it. */
export interface Coding {
  readonly system: string;
  readonly code: string;
  readonly display: string;
}

export interface Link {
  readonly label: string;
  readonly url: string;
  readonly type: 'absolute' | 'smart';
  readonly appContext?: string;
}

export interface Action {
  readonly type: 'create' | 'update' | 'delete';
  readonly description: string;
  readonly resource?: Readonly<Record<string, unknown>>;
}

export interface Suggestion {
  readonly label: string;
  readonly uuid: string;
  readonly isRecommended?: boolean;
  readonly actions: readonly Action[];
}

export type Indicator = 'info' | 'warning' | 'critical';

export interface Card {
  readonly uuid: string;
  readonly summary: string;
  readonly detail: string;
  readonly indicator: Indicator;
  readonly source: { readonly label: string; readonly url: string; readonly topic: Coding };
  readonly suggestions?: readonly Suggestion[];
  readonly selectionBehavior?: 'any';
  readonly overrideReasons: readonly Coding[];
  readonly links: readonly Link[];
}

/** What every card builder needs besides the analysis: who, where, and a source of card/suggestion ids. */
export interface CardContext {
  readonly patientId: string;
  readonly userId?: string;
  /** "YYYY-MM-DD" of the analysis. */
  readonly today: string;
  readonly publicBaseUrl: string;
  /**
   * How the MME trend app opens: `smart`, launched by the EHR (SMART App Launch, with iss and launch), or
   * `absolute`, a plain link to the patient's trend (the demo, whose EHR page does not launch SMART apps).
   */
  readonly trendLink: 'smart' | 'absolute';
  /** Data that could not be read, to say so in the cards. */
  readonly partial: readonly string[];
  /**
   * The medication orders were not all read (a failed or partial search): whether the patient is on opioids is
   * then unknown, and what could not be read is said even when no order of the record is an opioid.
   */
  readonly ordersIncomplete?: boolean;
  readonly newId: () => string;
}
