/**
 * Text from the EHR's record (product names, observation and condition texts, what a server reported) placed in a
 * card's Markdown detail: its Markdown is escaped (CommonMark backslash escapes), so that it reads as the text it
 * is and can make no Markdown link, image, HTML, emphasis or table; line breaks become spaces, so that it cannot
 * start a heading or a list. (A GitHub-flavoured renderer may still turn a bare https:// address in it into a
 * link, as it would anywhere.) Our own Markdown around it is untouched.
 */
import { joinLines } from '../domain/text.ts';

const SPECIAL = /[\\`*_[\]<>|~]/g;
/**
 * What makes a block at the start of a line - a heading (#), a quote (>, escaped anyway), a list item (-, +, *, or
 * "1." / "1)"), a thematic break (---, ===) - also where our own "- " list item puts the text: escaped there.
 */
const BLOCK_START = /^(\s*)(#|[-+=]|\d{1,9}(?=[.)]))/;

export function markdownText(text: string): string {
  return joinLines(text)
    .replace(SPECIAL, (c) => `\\${c}`)
    .replace(BLOCK_START, (_, space: string, mark: string) =>
      /^\d/.test(mark) ? `${space}${mark}\\` : `${space}\\${mark}`,
    );
}
