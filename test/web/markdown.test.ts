/**
 * Card details rendered in the demo page: the Markdown subset becomes markup, and nothing a card says can become
 * script, an event handler, or a link to anything but http(s).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { renderMarkdown } from '../../src/web/shared/markdown.ts';

describe('renderMarkdown', () => {
  it('renders paragraphs, bold, italics, lists, headings, code and links', () => {
    const html = renderMarkdown(
      [
        '**Why:** current dose **30 MME/day**; *trend* stable.',
        '',
        '- first _item_',
        '- second with `code`',
        '',
        '1. one',
        '2. two',
        '',
        '## Evidence',
        'See [doi:10.1001/x](https://doi.org/10.1001/jamainternmed.2022.0033) and more.',
      ].join('\n'),
    );
    expect(html).toBe(
      [
        '<p><strong>Why:</strong> current dose <strong>30 MME/day</strong>; <em>trend</em> stable.</p>',
        '<ul><li>first <em>item</em></li><li>second with <code>code</code></li></ul>',
        '<ol><li>one</li><li>two</li></ol>',
        '<h5>Evidence</h5>',
        '<p>See <a href="https://doi.org/10.1001/jamainternmed.2022.0033" target="_blank" rel="noopener noreferrer">doi:10.1001/x</a> and more.</p>',
      ].join('\n'),
    );
  });

  it.each([
    ['<script>alert(1)</script>', '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>'],
    ['<img src=x onerror="alert(1)">', '<p>&lt;img src=x onerror=&quot;alert(1)&quot;&gt;</p>'],
    ['[click](javascript:alert(1))', '<p>[click](javascript:alert(1))</p>'],
    ['[click](data:text/html,hi)', '<p>[click](data:text/html,hi)</p>'],
    ['[click](/relative)', '<p>[click](/relative)</p>'],
    [
      '[x](https://a.example/?q="onmouseover=alert(1))',
      '<p><a href="https://a.example/?q=%22onmouseover=alert(1" target="_blank" rel="noopener noreferrer">x</a>)</p>',
    ],
    [
      '[**bold** `c`](https://a.example/a_b_c*d*)',
      '<p><a href="https://a.example/a_b_c*d*" target="_blank" rel="noopener noreferrer"><strong>bold</strong> <code>c</code></a></p>',
    ],
  ])('keeps %s inert', (markdown, expected) => {
    expect(renderMarkdown(markdown)).toBe(expected);
  });

  it('never lets arbitrary text produce a tag or attribute it does not allow', () => {
    const allowed =
      /^<\/?(p|br|strong|em|code|ul|ol|li|h4|h5|h6|a)( href="https?:\/\/[^"<>]*" target="_blank" rel="noopener noreferrer")?>$/;
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom(
            '<',
            '>',
            '"',
            "'",
            '*',
            '_',
            '`',
            '[',
            ']',
            '(',
            ')',
            'a',
            ' ',
            '\n',
            '-',
            '#',
            'h',
            't',
            'p',
            's',
            ':',
            '/',
            '1',
            '.',
          ),
        }),
        (text) => {
          const html = renderMarkdown(text);
          for (const tag of html.match(/<[^>]*>/g) ?? []) expect(tag).toMatch(allowed);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
