// The HTML report as a browser shows it: each example is simulated, its page written and
// screenshot by headless Chromium (Debian's chromium package; .ci/run installs it), and the
// picture must show the job graph (its nodes' fill) above the timeline (its bars, the critical
// path in the accent colour). The page itself fetches nothing.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilePaths } from '../../generator/compile.ts';
import { renderHtmlReport } from '../../generator/local/html.ts';
import { simulate } from '../../generator/local/simulate.ts';
import { readPng, type Image } from '../support/png.ts';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

const NODE_FILL: Rgb = [0xee, 0xf4, 0xff];
const BAR: Rgb = [0x4c, 0x6e, 0xf5];
const CRITICAL: Rgb = [0xd9, 0x48, 0x0f];
type Rgb = [number, number, number];

/** The rows where a colour shows (within a small tolerance for anti-aliasing). */
function rowsWith(image: Image, colour: Rgb): number[] {
  const rows: number[] = [];
  for (let y = 0; y < image.height; y++) {
    let n = 0;
    for (let x = 0; x < image.width; x += 2) {
      const [r, g, b] = image.pixel(x, y);
      if (Math.abs(r - colour[0]) + Math.abs(g - colour[1]) + Math.abs(b - colour[2]) <= 6) n++;
    }
    if (n >= 10) rows.push(y);
  }
  return rows;
}

function screenshot(html: string): Image {
  const dir = mkdtempSync(join(tmpdir(), 'stepgraph-html-'));
  const page = join(dir, 'report.html');
  const png = join(dir, 'shot.png');
  writeFileSync(page, html);
  execFileSync(
    CHROMIUM!,
    ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--user-data-dir=${join(dir, 'profile')}`, '--window-size=1200,1100', '--hide-scrollbars', `--screenshot=${png}`, `file://${page}`],
    { stdio: 'ignore', timeout: 90_000 },
  );
  return readPng(readFileSync(png));
}

describe.each(['player-analytics', 'ad-attribution', 'finance-close'])('the HTML report of %s', (name) => {
  const load = async (): Promise<string> => {
    const { compiled } = compilePaths([`workflows/${name}.yaml`]);
    const report = await simulate(compiled[0], { date: compiled[0].workflow.partition === 'hourly' ? '2019-03-12T05' : '2019-03-12' });
    return renderHtmlReport(report, compiled[0].workflow);
  };

  it('is one page that fetches nothing', async () => {
    const html = await load();
    expect(html).toMatch(/^<!doctype html>/);
    // The only URL is the SVG namespace; no src, no link, no url() but in-page references.
    expect(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '')).not.toMatch(/https?:|src=|<link|<script|url\((?!#)/);
  });

  it.skipIf(!CHROMIUM)('renders the graph above the timeline, the critical path highlighted', async () => {
    const image = screenshot(await load());
    const graph = rowsWith(image, NODE_FILL);
    expect(graph.length).toBeGreaterThan(20);
    // Below the graph: the timeline's bars, one band per job, some in the critical path's colour.
    const below = (rows: number[]): number[] => rows.filter((y) => y > Math.max(...graph));
    const critical = below(rowsWith(image, CRITICAL));
    const bars = new Set([...below(rowsWith(image, BAR)), ...critical]);
    const jobs = (await load()).match(/<g class="row"/g)!.length;
    expect(bars.size).toBeGreaterThanOrEqual(jobs * 12);
    expect(critical.length).toBeGreaterThanOrEqual(12);
  });
});
