/**
 * Text from the record is input: the readers must take linear time on it. The helpers behave as the regular
 * expressions they replace, and hostile texts that made those backtrack for seconds (long runs of "/", " [" or
 * spaces) are read at once.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { joinLines, trimTrailing } from '../../src/domain/text.ts';
import { withoutBrand } from '../../src/domain/opioid/rxnorm-name.parser.ts';
import { markdownText } from '../../src/cards/markdown-text.ts';
import { systemKey } from '../../src/domain/terminology/code-systems.ts';
import { allowedBase } from '../../src/fhir/allowed-base.ts';
import { every, medicationRequest, tab } from '../builders/fhir-builders.ts';
import { analyze } from '../helpers/analyze.ts';

const text = (chars: string) => fc.string({ unit: fc.constantFrom(...chars.split('')), maxLength: 24 });

describe('linear-time text helpers', () => {
  it('trimTrailing is /c+$/ removed', () => {
    fc.assert(
      fc.property(text('/a '), (s) => {
        expect(trimTrailing(s, '/')).toBe(s.replace(/\/+$/, ''));
      }),
    );
  });

  it('joinLines is /\\s*[\\r\\n]+\\s*/g replaced by one space', () => {
    fc.assert(
      fc.property(text(' \n\r\ta'), (s) => {
        expect(joinLines(s)).toBe(s.replace(/\s*[\r\n]+\s*/g, ' '));
      }),
      { numRuns: 2000 },
    );
  });

  it('withoutBrand is / \\[[^\\]]*\\]$/ removed', () => {
    fc.assert(
      fc.property(text(' []a'), (s) => {
        expect(withoutBrand(s)).toBe(s.replace(/ \[[^\]]*\]$/, ''));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('hostile texts', () => {
  const order = (extra: Record<string, unknown>) => ({
    ...medicationRequest({
      id: 'o',
      rxcui: '1049621',
      authoredOn: '2026-01-10',
      dosages: [{ dose: tab(1), timing: every(1, 'd', 4) }],
    }),
    ...extra,
  });

  it('a product text of 200,000 " [" is read, as a text that names no opioid', () => {
    const report = analyze([
      order({ medicationCodeableConcept: { text: `x${' ['.repeat(100_000)}` } }),
    ] as never);
    expect(report.orders).toEqual([]);
  });

  it('a coding system of 200,000 slashes is read as no known system', () => {
    expect(systemKey(`${'/'.repeat(200_000)}x`)).toBe('other');
    const report = analyze([
      order({
        medicationCodeableConcept: { coding: [{ system: `${'/'.repeat(200_000)}x`, code: '1049621' }] },
      }),
    ] as never);
    expect(report.orders).toEqual([]);
  });

  it('a FHIR server address of 200,000 slashes names no allowed server', () => {
    expect(allowedBase(`http://h/${'/'.repeat(200_000)}x`, ['http://h/fhir'])).toBeUndefined();
  });

  it('a text with 200,000 spaces before a line break becomes one line', () => {
    expect(markdownText(`a${' '.repeat(200_000)}b\nc`)).toBe(`a${' '.repeat(200_000)}b c`);
  });
});
