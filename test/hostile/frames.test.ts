// Issue 12, item 13 (output part): a diagnostic on a 50 MB line prints a window around the
// column, not the line; a message quoting a huge value prints the start of it.
import { describe, expect, it } from 'vitest';
import { compileTexts } from '../../generator/compile.ts';
import { FRAME_WIDTH, formatDiagnostic, frameWindow, toJson } from '../../generator/diagnostics.ts';

describe('code frames', () => {
  it('show at most a window of the line around the column, the caret under the span', () => {
    const huge = 'y'.repeat(5_000_000);
    const text = `name: long\ndescription: "${'x'.repeat(5_000_000)}"\njobs:\n  a: {lambda: f, timeout: ${huge}}\n`;
    const result = compileTexts([{ file: 'long.yaml', text }]);
    const d = result.diagnostics.find((x) => x.code === 'SG3001')!;
    const printed = formatDiagnostic(d, result.lineMaps);
    expect(printed.length).toBeLessThan(2_000);
    const [, frame, caret] = printed.split('\n');
    expect(frame).toBe(`  4 |   a: {lambda: f, timeout: ${'y'.repeat(FRAME_WIDTH - 26)}…`);
    expect(caret.indexOf('^')).toBe(frame.indexOf('y'));
    expect(JSON.stringify(toJson(d, result.lineMaps)).length).toBeLessThan(2_000);
  });

  it('keep the caret under the column deep inside a long line, with the cut marked at both ends', () => {
    const line = `${'a'.repeat(1000)}BAD${'b'.repeat(1000)}`;
    const w = frameWindow(line, 1000, 3);
    expect(w.text.startsWith('…') && w.text.endsWith('…')).toBe(true);
    expect(w.text.slice(w.caretAt, w.caretAt + w.width)).toBe('BAD');
    expect(w.text.length).toBe(FRAME_WIDTH + 2);
    // A short line is printed as it is.
    expect(frameWindow('short', 2, 1)).toEqual({ text: 'short', caretAt: 2, width: 1 });
  });
});
