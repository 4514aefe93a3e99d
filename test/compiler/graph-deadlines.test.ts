// `graph` draws deadlines: each job's on its box and the run's as the caption, in Mermaid, DOT,
// SVG and the HTML report's page (whose screenshot in headless Chromium shows the caption).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilePaths, compileTexts } from '../../generator/compile.ts';
import { renderHtmlReport } from '../../generator/local/html.ts';
import { simulate } from '../../generator/local/simulate.ts';
import { renderGraph } from '../../generator/render/graph.ts';
import { renderSvgGraph } from '../../generator/render/svg.ts';
import { readPng } from '../support/png.ts';

const { workflow } = compilePaths(['workflows/bi-deadlines.yaml']).compiled[0];

describe('graph draws deadlines', () => {
  it('Mermaid: the run deadline as the title, the job deadline on its box', () => {
    const text = renderGraph(workflow, 'mermaid');
    expect(text.startsWith('---\ntitle: "run deadline 06:00 (Europe/Belgrade)"\n---\nflowchart LR\n')).toBe(true);
    expect(text).toContain('bi_import["bi_import<br/><small>lambda<br/>deadline 05:30</small>"]');
    expect(text).not.toMatch(/revenue\[[^\n]*deadline/);
  });

  it('DOT: the graph label and the box label', () => {
    const text = renderGraph(workflow, 'dot');
    expect(text).toContain('  label="run deadline 06:00 (Europe/Belgrade)"; labelloc=t;');
    expect(text).toContain('"bi_import" [label="bi_import\\nlambda\\ndeadline 05:30"];');
  });

  it('SVG: the caption and the box detail, escaped; a deadline after the start reads start+<duration>', () => {
    const svg = renderSvgGraph(workflow);
    expect(svg).toContain('<text class="caption" x="16" y="12">run deadline 06:00 (Europe/Belgrade)</text>');
    expect(svg).toMatch(/<g class="node job[^"]*" data-id="bi_import">.*<text class="detail"[^>]*>lambda · deadline 05:30<\/text>/);
    const durations = compileTexts([{ file: 'd.yaml', text: 'name: d\ndeadline: 4h\njobs:\n  a:\n    lambda: f\n    deadline: 90m\n' }]).compiled[0].workflow;
    expect(renderSvgGraph(durations)).toContain('>run deadline start+4h</text>');
    expect(renderGraph(durations, 'dot')).toContain('"a" [label="a\\nlambda\\ndeadline start+1h30m"];');
  });

  it('a workflow without deadlines draws none', () => {
    const plain = compilePaths(['workflows/finance-close.yaml']).compiled[0].workflow;
    for (const text of [renderGraph(plain, 'mermaid'), renderGraph(plain, 'dot'), renderSvgGraph(plain)]) expect(text).not.toContain('deadline');
  });

  const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
  it.skipIf(!CHROMIUM)('the HTML report page shows the caption in its colour above the graph (headless Chromium)', async () => {
    const compiled = compilePaths(['workflows/bi-deadlines.yaml']).compiled[0];
    const html = renderHtmlReport(await simulate(compiled, { date: '2019-03-12' }), compiled.workflow);
    expect(html).toContain('run deadline 06:00 (Europe/Belgrade)');
    const dir = mkdtempSync(join(tmpdir(), 'stepgraph-html-'));
    writeFileSync(join(dir, 'report.html'), html);
    execFileSync(
      CHROMIUM!,
      ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${join(dir, 'profile')}`, '--window-size=1200,1100', '--hide-scrollbars', `--screenshot=${join(dir, 'shot.png')}`, `file://${join(dir, 'report.html')}`],
      { stdio: 'ignore', timeout: 90_000 },
    );
    const image = readPng(readFileSync(join(dir, 'shot.png')));
    // Pixels of the caption's colour (#a61e4d), within anti-aliasing tolerance
    let found = 0;
    for (let y = 0; y < image.height; y++) {
      for (let x = 0; x < image.width; x++) {
        const [r, g, b] = image.pixel(x, y);
        if (Math.abs(r - 0xa6) + Math.abs(g - 0x1e) + Math.abs(b - 0x4d) <= 24) found++;
      }
    }
    expect(found).toBeGreaterThan(20);
  }, 120_000);
});
