// Seeded mutations of a text for the fuzz tests: hostile tokens spliced in, characters and lines
// cut, duplicated or re-indented, words replaced, odd characters inserted.
/** Tokens that broke the compiler before, or that mean something to YAML, JSON, shells or JavaScript. */
const TOKENS = [
  '*a', '&a ', '<<: *a', '<<: 5', '__proto__: {command: x}', 'toString: 1', 'constructor:', 'valueOf', 'hasOwnProperty: {}',
  '\r', '\r\n', '\n', '\t', '\u2028', '🎉', 'ü', '\u0000', '"', "'", '\\', '{', '}', '[', ']', ': ', '- ', '#', '|', '>', '!!binary', '!tag',
  '${x}', '{x}', '{{', '$(touch x)', '; rm -rf /', 'STEPGRAPH_EOF', '../../', '/dev/null', '-1', '0', '1e309', '99999999999999999999',
  '2019-02-30', '0000-00-00', 'T24:00:00Z', 'null', '~', 'true', '[]', '{}', 'x'.repeat(300), '- *a\n- &a [1]', '? complex\n: key',
];

export function mutate(text: string, rand: () => number): string {
  const pick = <T,>(list: readonly T[]): T => list[Math.floor(rand() * list.length)];
  const at = (): number => Math.floor(rand() * (text.length + 1));
  const lines = (): string[] => text.split('\n');
  const steps = 1 + Math.floor(rand() * 3);
  for (let s = 0; s < steps; s++) {
    switch (Math.floor(rand() * 7)) {
      case 0: {
        const i = at();
        text = text.slice(0, i) + pick(TOKENS) + text.slice(i);
        break;
      }
      case 1: {
        const i = at();
        text = text.slice(0, i) + text.slice(i + 1 + Math.floor(rand() * 20));
        break;
      }
      case 2: {
        const l = lines();
        const i = Math.floor(rand() * l.length);
        l.splice(i, 0, l[Math.floor(rand() * l.length)]);
        text = l.join('\n');
        break;
      }
      case 3: {
        const l = lines();
        l.splice(Math.floor(rand() * l.length), 1);
        text = l.join('\n');
        break;
      }
      case 4: {
        const l = lines();
        const i = Math.floor(rand() * l.length);
        l[i] = rand() < 0.5 ? `  ${l[i]}` : l[i].replace(/^ {1,2}/, '');
        text = l.join('\n');
        break;
      }
      case 5: {
        // Replace a scalar-looking word with a hostile token.
        const words = [...text.matchAll(/[A-Za-z0-9_.-]{2,}/g)];
        if (words.length === 0) break;
        const w = pick(words);
        text = text.slice(0, w.index) + pick(TOKENS) + text.slice(w.index! + w[0].length);
        break;
      }
      default: {
        const i = at();
        text = text.slice(0, i) + String.fromCharCode(Math.floor(rand() * 0x3000)) + text.slice(i);
      }
    }
  }
  return text;
}
