/**
 * String helpers for text from the record that run in linear time whatever the text: regular expressions such as
 * /\/+$/ or /\s*\n\s*\/ backtrack quadratically on long runs of the repeated character, and the record is input.
 */

/** The text without the given character repeated at its end ("http://x/fhir//" -> "http://x/fhir"). */
export function trimTrailing(text: string, char: string): string {
  let end = text.length;
  while (end > 0 && text[end - 1] === char) end--;
  return end === text.length ? text : text.slice(0, end);
}

/** Line breaks, with the white space around them, as one space ("a \n\n b" -> "a b"). */
export function joinLines(text: string): string {
  if (!/[\r\n]/.test(text)) return text;
  const pieces = text.split(/[\r\n]+/);
  const out: string[] = [];
  for (const [i, whole] of pieces.entries()) {
    let piece = whole;
    if (i > 0) piece = piece.trimStart();
    if (i < pieces.length - 1) piece = piece.trimEnd();
    if (piece !== '' || i === 0 || i === pieces.length - 1) out.push(piece);
  }
  return out.join(' ');
}
