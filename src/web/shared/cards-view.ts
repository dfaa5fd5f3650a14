/**
 * CDS Hooks cards as an EHR shows them: indicator (colour and word, so that it reads without colour), summary,
 * detail (sanitised Markdown), source, suggestions as buttons, links, and a dismiss action with the card's override
 * reasons. What accepting or dismissing does is the caller's (the demo sends CDS Hooks feedback).
 */
import { renderMarkdown } from './markdown.ts';

export interface Coding {
  readonly system?: string;
  readonly code: string;
  readonly display?: string;
}

export interface Suggestion {
  readonly label: string;
  readonly uuid?: string;
  readonly actions?: readonly {
    readonly type: string;
    readonly description?: string;
    readonly resource?: unknown;
  }[];
}

export interface Card {
  readonly uuid?: string;
  readonly summary: string;
  readonly detail?: string;
  readonly indicator: 'info' | 'warning' | 'critical';
  readonly source: { readonly label: string; readonly url?: string; readonly topic?: Coding };
  readonly suggestions?: readonly Suggestion[];
  readonly links?: readonly { readonly label: string; readonly url: string; readonly type: string }[];
  readonly overrideReasons?: readonly Coding[];
}

export interface CardActions {
  accept(card: Card, suggestion: Suggestion): Promise<string>;
  dismiss(card: Card, reason: Coding | undefined): Promise<string>;
}

const INDICATOR_WORDS: Record<Card['indicator'], string> = {
  info: 'Info',
  warning: 'Warning',
  critical: 'Critical',
};

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function isHttpUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

function renderCard(card: Card, index: number, actions: CardActions): HTMLElement {
  const id = `card-${index}`;
  const article = el('article', {
    class: `card card--${card.indicator}`,
    'aria-labelledby': `${id}-summary`,
    'data-indicator': card.indicator,
    ...(card.source.topic ? { 'data-topic': card.source.topic.code } : {}),
  });
  const header = el('header', { class: 'card-header' });
  header.append(
    el('span', { class: `badge badge--${card.indicator}` }, INDICATOR_WORDS[card.indicator]),
    el('h3', { id: `${id}-summary`, class: 'card-summary' }, card.summary),
  );
  article.append(header);
  if (card.detail) {
    const detail = el('div', { class: 'card-detail' });
    // renderMarkdown escapes everything and emits only a fixed set of tags (test/web/markdown.test.ts).
    detail.innerHTML = renderMarkdown(card.detail);
    article.append(detail);
  }
  const source = el('p', { class: 'card-source' }, 'Source: ');
  if (card.source.url && isHttpUrl(card.source.url))
    source.append(
      el('a', { href: card.source.url, target: '_blank', rel: 'noopener noreferrer' }, card.source.label),
    );
  else source.append(card.source.label);
  article.append(source);

  const status = el('p', { class: 'card-status', role: 'status', 'aria-live': 'polite' });
  const controls = el('div', { class: 'card-actions' });
  const settle = (message: string): void => {
    status.textContent = message;
    for (const b of article.querySelectorAll('button, select')) (b as HTMLButtonElement).disabled = true;
    article.classList.add('card--settled');
  };
  const fail = (error: unknown): void => {
    status.textContent = `Could not send: ${error instanceof Error ? error.message : String(error)}`;
  };
  for (const suggestion of card.suggestions ?? []) {
    const button = el('button', { type: 'button', class: 'suggestion' }, suggestion.label);
    button.addEventListener('click', () => {
      actions.accept(card, suggestion).then(settle, fail);
    });
    controls.append(button);
  }
  for (const link of card.links ?? []) {
    if (!isHttpUrl(link.url)) continue;
    controls.append(
      el('a', { href: link.url, class: 'card-link', target: '_blank', rel: 'noopener' }, link.label),
    );
  }
  article.append(controls);

  const dismiss = el('div', { class: 'card-dismiss' });
  const reasons = card.overrideReasons ?? [];
  const selectId = `${id}-reason`;
  if (reasons.length > 0) {
    dismiss.append(el('label', { for: selectId }, 'Reason for dismissing'));
    const select = el('select', { id: selectId });
    select.append(el('option', { value: '' }, '(no reason)'));
    reasons.forEach((r, i) => {
      select.append(el('option', { value: String(i) }, r.display ?? r.code));
    });
    dismiss.append(select);
  }
  const dismissButton = el('button', { type: 'button', class: 'dismiss' }, 'Dismiss');
  dismissButton.addEventListener('click', () => {
    const select = dismiss.querySelector('select');
    const chosen = select && select.value !== '' ? reasons[Number(select.value)] : undefined;
    actions.dismiss(card, chosen).then(settle, fail);
  });
  dismiss.append(dismissButton);
  article.append(dismiss, status);
  return article;
}

/** Replaces the container's content with the cards, or says there is nothing to show. */
export function showCards(container: HTMLElement, cards: readonly Card[], actions: CardActions): void {
  container.replaceChildren();
  if (cards.length === 0) {
    container.append(
      el('p', { class: 'no-cards' }, 'No cards: the service has nothing to recommend for this patient.'),
    );
    return;
  }
  cards.forEach((card, i) => {
    container.append(renderCard(card, i, actions));
  });
}
