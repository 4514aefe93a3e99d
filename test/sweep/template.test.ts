// Placeholders in a sweep's command and name: a template is cut into parts once and filled in per
// item; the result is what spawn's rule gives for any text (`{{` and `}}` literal braces, `${VAR}`
// shell syntax, unknown names left as written), checked against that rule applied directly.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { substitute } from '../../generator/sweep/template.ts';
import { shellWord } from '../../generator/shell.ts';

const TOKEN = /\{\{|\}\}|(\$?)\{([A-Za-z_][A-Za-z0-9_.-]*)\}/g;
/** The rule as one regular-expression pass. */
const reference = (template: string, values: (name: string) => unknown, word: (t: string) => string = (t) => t): string =>
  template.replace(TOKEN, (whole, dollar: string, name: string | undefined) => {
    if (whole === '{{') return '{';
    if (whole === '}}') return '}';
    if (dollar) return whole;
    const value = values(name!);
    return value === undefined ? whole : word(typeof value === 'string' ? value : JSON.stringify(value));
  });

const VALUES: Record<string, string | number> = { lr: '0.5; rm -rf /', index: 7, name: 'run {lr}', a: '' };
const values = (name: string): string | number | undefined => (Object.hasOwn(VALUES, name) ? VALUES[name] : undefined);

describe('substitute', () => {
  it('GIVEN a few templates WHEN filled in THEN values in place, braces and shell variables kept', () => {
    expect(substitute('train --lr {lr} --i {index} {{x}} ${HOME} {unknown} {a}', values, shellWord)).toBe("train --lr '0.5; rm -rf /' --i 7 {x} ${HOME} {unknown} ''");
    expect(substitute('{name}-{{index}}-{index}', values)).toBe('run {lr}-{index}-7');
  });

  it('GIVEN any text made of braces, dollars, names and other characters WHEN filled in twice THEN the rule applied directly, both times', () => {
    const piece = fc.constantFrom('{', '}', '{{', '}}', '$', '{lr}', '${lr}', '{index}', '{a}', '{x.y-z}', '{1x}', 'lr', ' ', "'", 'é');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }).map((p) => p.join('')), (template) => {
        expect(substitute(template, values, shellWord)).toBe(reference(template, values, shellWord));
        expect(substitute(template, values)).toBe(reference(template, values));
      }),
      { numRuns: 500 },
    );
  });
});
