/**
 * Card details are CDS Hooks Markdown from a service: rendered here to HTML that can carry no script. Everything is
 * escaped first; only a small Markdown subset becomes markup (paragraphs, headings, lists, bold, italics, code,
 * links to http(s) addresses). Pure: no DOM, so that it is tested like the rest of the code.
 */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** Only absolute http(s) links are kept; anything else (javascript:, data:, relative) stays plain text. */
function safeUrl(raw: string): string | undefined {
  try {
    const url = new URL(raw);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function emphasis(escaped: string): string {
  return escaped
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/__([^_]+)__/g, '<strong>$1</strong>')
    .replace(/(^|[\s(])\*([^*\s][^*]*)\*/g, '$1<em>$2</em>')
    .replace(/(^|[\s(])_([^_\s][^_]*)_/g, '$1<em>$2</em>');
}

/** A backslash before ASCII punctuation (here HTML-escaped already) makes it a literal character (CommonMark). */
const BACKSLASH_ESCAPE = /\\(&(?:lt|gt|amp|quot|#39);|[!-/:-@[-`{-~])/g;

/** Inline Markdown of one escaped line of text. */
function inline(escaped: string): string {
  const codes: string[] = [];
  const literal = escaped.replace(BACKSLASH_ESCAPE, (_m, char: string) => {
    codes.push(char);
    return `\uE000${codes.length - 1}\uE000`;
  });
  const withCode = literal.replace(/`([^`]+)`/g, (_m, code: string) => {
    codes.push(`<code>${code}</code>`);
    return `\uE000${codes.length - 1}\uE000`;
  });
  // Links: [text](url). The URL was escaped with the rest; unescape it to check it, escape it again to write it.
  let out = withCode.replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (whole, text: string, href: string) => {
    const url = safeUrl(
      href
        .replace(/&amp;/g, '&')
        .replace(/&#39;/g, "'")
        .replace(/&quot;/g, '"'),
    );
    if (url === undefined) return whole;
    // The link text gets its own inline markup; the anchor is kept aside so that no later rule reaches into it.
    codes.push(
      `<a href="${escapeHtml(url)}" target="_blank" rel="noopener noreferrer">${emphasis(text)}</a>`,
    );
    return `\uE000${codes.length - 1}\uE000`;
  });
  out = emphasis(out);
  // A link's text may hold code: put the pieces back until none is left (each pass resolves one level).
  for (let pass = 0; pass <= codes.length && out.includes('\uE000'); pass++)
    out = out.replace(/\uE000(\d+)\uE000/g, (_m, i: string) => codes[Number(i)] ?? '');
  return out;
}

export function renderMarkdown(markdown: string): string {
  const lines = escapeHtml(markdown.replace(/\uE000/g, '')).split(/\r?\n/);
  const html: string[] = [];
  let paragraph: string[] = [];
  let list: { tag: 'ul' | 'ol'; items: string[] } | undefined;
  const flush = (): void => {
    if (paragraph.length > 0) html.push(`<p>${paragraph.map(inline).join('<br>')}</p>`);
    paragraph = [];
    if (list)
      html.push(`<${list.tag}>${list.items.map((i) => `<li>${inline(i)}</li>`).join('')}</${list.tag}>`);
    list = undefined;
  };
  for (const line of lines) {
    const heading = /^(#{1,4})\s+(.*)$/.exec(line);
    const bullet = /^\s*[-*+]\s+(.*)$/.exec(line);
    const numbered = /^\s*\d+[.)]\s+(.*)$/.exec(line);
    if (line.trim() === '') flush();
    else if (heading) {
      flush();
      // Card details sit under the card's own heading: Markdown levels start at h4.
      const level = Math.min(6, (heading[1]?.length ?? 1) + 3);
      html.push(`<h${level}>${inline(heading[2] ?? '')}</h${level}>`);
    } else if (bullet || numbered) {
      const tag = bullet ? 'ul' : 'ol';
      if (paragraph.length > 0 || (list && list.tag !== tag)) flush();
      list ??= { tag, items: [] };
      list.items.push((bullet ?? numbered)?.[1] ?? '');
    } else {
      if (list) flush();
      paragraph.push(line.trim());
    }
  }
  flush();
  return html.join('\n');
}
