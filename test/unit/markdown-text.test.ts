/**
 * Text from the EHR's record in a card's Markdown detail reads as the text it is: no link, image, HTML, emphasis,
 * table or new line can come of it, in any CommonMark renderer (backslash escapes) and in the demo page's.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { flagLines } from '../../src/cards/explain.ts';
import { markdownText } from '../../src/cards/markdown-text.ts';
import { escapeHtml, renderMarkdown } from '../../src/web/shared/markdown.ts';

const HOSTILE = '<img src=x onerror=alert(1)> [click](javascript:alert(1)) **bold** _x_ `code` | a ~~b~~ \\';

describe('markdownText', () => {
  it('escapes what would be Markdown or HTML, and nothing else', () => {
    expect(markdownText(HOSTILE)).toBe(
      '\\<img src=x onerror=alert(1)\\> \\[click\\](javascript:alert(1)) \\*\\*bold\\*\\* \\_x\\_ \\`code\\` \\| a \\~\\~b\\~\\~ \\\\',
    );
    expect(markdownText('oxycodone 5 MG Oral Tablet (Roxicodone), 2026-01-05: 12.5 mg')).toBe(
      'oxycodone 5 MG Oral Tablet (Roxicodone), 2026-01-05: 12.5 mg',
    );
  });

  it('makes line breaks spaces, so that the text cannot start a heading or a list', () => {
    expect(markdownText('first\n# heading\r\n- item')).toBe('first # heading - item');
  });

  it('escapes what would start a block where our own "- " list item puts the text', () => {
    expect(markdownText('# STOP oxycodone')).toBe('\\# STOP oxycodone');
    expect(markdownText('1. first')).toBe('1\\. first');
    expect(markdownText('12) first')).toBe('12\\) first');
    expect(markdownText('- item')).toBe('\\- item');
    expect(markdownText('+ item')).toBe('\\+ item');
    expect(markdownText('=== rule')).toBe('\\=== rule');
    // Only at the start: the same characters later in the text are plain.
    expect(markdownText('oxycodone 5 MG - 1. tab #2')).toBe('oxycodone 5 MG - 1. tab #2');
    expect(renderMarkdown(`- ${markdownText('# heading')}`)).toBe('<ul><li># heading</li></ul>');
  });

  it('reads in the demo page as exactly the text (HTML-escaped), whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'ab *_[]()<>|~`\\!#-+.&"\'\n:/'.split('')) }), (s) => {
        const text = s.replace(/\s*[\r\n]+\s*/g, ' ');
        expect(renderMarkdown(`Seen: ${markdownText(s)} end`)).toBe(`<p>Seen: ${escapeHtml(text)} end</p>`);
      }),
      { numRuns: 500 },
    );
  });
});

describe('flag evidence in a card', () => {
  it("is the record's text, escaped", () => {
    const [line] = flagLines(
      [
        {
          code: 'uds-unexpected',
          rule: 'r',
          source: 's',
          evidence: [{ detail: `${HOSTILE}: positive for cocaine`, date: '2026-01-05' }],
        },
      ],
      ['uds-unexpected'],
    );
    expect(line).toBe(
      `- Unexpected urine drug screen: ${markdownText(HOSTILE)}: positive for cocaine (2026-01-05)`,
    );
    expect(renderMarkdown(line ?? '')).not.toMatch(/<a |<img|<strong>|<em>|<code>/);
  });
});
