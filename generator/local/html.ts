// The report of a simulated or local run as one self-contained HTML page (no script, no font,
// nothing fetched): the job graph with the critical path, a Gantt timeline (waits shaded, retries
// marked, the critical path in the accent colour), why the run ended later than its critical
// path, retries, state transitions, history events and cost. Every name is escaped.
import type { Workflow } from '../model.ts';
import { esc, renderSvgGraph } from '../render/svg.ts';
import { clock } from './analysis.ts';
import { PRICE_PER_TRANSITION } from './counts.ts';
import type { JobReport, RunReport } from './summary.ts';

export function renderHtmlReport(report: RunReport, workflow: Workflow): string {
  const critical = new Set(report.criticalPath);
  const status = new Map(report.jobs.map((j) => [j.name, j.status]));
  const ok = report.status === 'SUCCEEDED';
  const how = report.mode === 'simulated' ? 'simulated on a virtual clock' : 'run locally in real time';
  const failed = report.jobs.find((j) => j.name === report.failedJob);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(`${report.workflow} ${report.date}: ${report.status}`)}</title>
<style>${PAGE_CSS}</style>
</head>
<body>
<header>
<h1>${esc(report.workflow)} <span class="date">${esc(report.date)}</span> <span class="outcome ${ok ? 'ok' : 'bad'}">${esc(report.status)}</span></h1>
<p>${esc(how)}, execution <code>${esc(report.executionName)}</code>${report.error ? `<br><strong>${esc(report.error)}</strong>` : ''}${failed ? `<br>failing job: <strong>${esc(failed.name)}</strong>${failed.error ? ` (${esc(failed.error)})` : ''}` : ''}</p>
<dl class="figures">
<div><dt>makespan</dt><dd>${clock(report.makespanSeconds * 1000)}</dd></div>
<div><dt>critical path</dt><dd>${clock(report.criticalPathSeconds * 1000)}</dd></div>
<div><dt>later than the path</dt><dd>${clock(Math.max(0, report.latenessSeconds) * 1000)}</dd></div>
<div><dt>state transitions</dt><dd>${count(report.stateTransitions)}</dd></div>
<div><dt>history events</dt><dd>${count(report.historyEvents)} / ${count(report.historyEventLimit)}</dd></div>
<div><dt>cost per run</dt><dd>$${report.costUsd.toFixed(6)}</dd></div>
</dl>
</header>
<section id="graph"><h2>Job graph</h2>
<p class="legend"><span class="key critical"></span> critical path <span class="key external"></span> wait for another producer's marker (deadline)</p>
<div class="scroll">${renderSvgGraph(workflow, { critical, status })}</div></section>
<section id="timeline"><h2>Timeline</h2>
<p class="legend"><span class="key run"></span> running <span class="key run critical"></span> on the critical path <span class="key wait"></span> waiting for a marker or another job <span class="key fail"></span> failed <span class="key retry"></span> an attempt started</p>
<div class="scroll">${ganttSvg(report, critical)}</div></section>
<section id="lateness"><h2>Lateness</h2>${latenessHtml(report)}</section>
<section id="retries"><h2>Retries</h2>${retriesHtml(report.jobs)}</section>
<section id="cost"><h2>Transitions and cost</h2>
<p>${count(report.stateTransitions)} state transitions (every state entered, plus every retry) x $${PRICE_PER_TRANSITION} of a Standard workflow = <strong>$${report.costUsd.toFixed(6)}</strong> per run; the jobs' own services bill apart.
History: ${count(report.historyEvents)} events in the largest execution of the ${count(report.historyEventLimit)} one execution may have (${((report.historyEvents / report.historyEventLimit) * 100).toFixed(1)}%); ${count(report.taskAttempts)} Task attempts.</p>
${report.notes.length > 0 ? `<ul class="notes">${report.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>` : ''}</section>
</body>
</html>
`;
}

const ROW = 26;
const NAME_WIDTH_CHARS = 7.5;
const CHART_WIDTH = 760;

function ganttSvg(report: RunReport, critical: ReadonlySet<string>): string {
  const total = Math.max(report.makespanSeconds, 1e-3);
  const nameWidth = Math.ceil(Math.max(60, ...report.jobs.map((j) => j.name.length * NAME_WIDTH_CHARS))) + 16;
  const x = (s: number): number => nameWidth + (s / total) * CHART_WIDTH;
  const height = 30 + report.jobs.length * ROW + 10;
  const width = nameWidth + CHART_WIDTH + 110;
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" class="sg-gantt" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="timeline">`];
  for (const t of ticks(total)) {
    out.push(`<line class="tick" x1="${r(x(t))}" y1="18" x2="${r(x(t))}" y2="${height - 6}"/><text class="axis" x="${r(x(t))}" y="12">${clock(t * 1000)}</text>`);
  }
  report.jobs.forEach((job, i) => {
    const y = 24 + i * ROW;
    out.push(`<g class="row" data-job="${esc(job.name)}"><text class="name" x="${nameWidth - 8}" y="${y + 15}">${esc(job.name)}</text>`);
    for (const w of job.waits) {
      const to = w.toSeconds ?? job.startSeconds ?? report.makespanSeconds;
      if (to > w.fromSeconds) out.push(`<rect class="wait" x="${r(x(w.fromSeconds))}" y="${y + 4}" width="${r(x(to) - x(w.fromSeconds))}" height="14"><title>${esc(`${job.name} waits for ${w.kind === 'external' ? 'marker ' : ''}${w.what}: ${clock(w.fromSeconds * 1000)} to ${w.toSeconds === null ? 'the end' : clock(w.toSeconds * 1000)}`)}</title></rect>`);
    }
    if (job.startSeconds !== null && job.endSeconds !== null) {
      const cls = job.status === 'failed' || job.status === 'wait_timed_out' ? 'bar fail' : critical.has(job.name) ? 'bar critical' : 'bar';
      out.push(`<rect class="${cls}" x="${r(x(job.startSeconds))}" y="${y + 2}" width="${r(Math.max(2, x(job.endSeconds) - x(job.startSeconds)))}" height="18" rx="3"><title>${esc(`${job.name}: ${clock(job.startSeconds * 1000)} to ${clock(job.endSeconds * 1000)}, ${job.status.replace('_', ' ')}${job.attempts > 1 ? `, ${job.attempts} attempts` : ''}`)}</title></rect>`);
    }
    for (const a of job.attemptStartSeconds.slice(1)) out.push(`<line class="retry" x1="${r(x(a))}" y1="${y}" x2="${r(x(a))}" y2="${y + 22}"/>`);
    out.push(`<text class="state" x="${nameWidth + CHART_WIDTH + 8}" y="${y + 15}">${esc(job.status.replace('_', ' '))}${job.attempts > 1 ? ` x${job.attempts}` : ''}</text></g>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

/** About six round instants along the run: 0, then multiples of a round step. */
function ticks(total: number): number[] {
  const steps = [0.1, 0.5, 1, 5, 10, 30, 60, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
  const step = steps.find((s) => total / s <= 8) ?? 86400 * Math.ceil(total / 86400 / 8);
  const out: number[] = [];
  for (let t = 0; t <= total + 1e-9; t += step) out.push(Math.round(t * 1000) / 1000);
  return out;
}

function latenessHtml(report: RunReport): string {
  const head = `<p>The critical path is <strong>${report.criticalPath.map(esc).join(' → ') || '(none)'}</strong> (${clock(report.criticalPathSeconds * 1000)}); the run took ${clock(report.makespanSeconds * 1000)}.</p>`;
  if (report.status !== 'SUCCEEDED') return `${head}<p>The run stopped before its end.</p>`;
  if (report.lateness.delays.length === 0) return `${head}<p>No wait added latency.</p>`;
  return `${head}<p>It ended with ${report.lateness.chain.map(esc).join(' → ')}, delayed by:</p><ul>${report.lateness.delays.map((d) => `<li>${esc(d.text)}</li>`).join('')}</ul>`;
}

function retriesHtml(jobs: readonly JobReport[]): string {
  const retried = jobs.filter((j) => j.attempts > 1);
  if (retried.length === 0) return '<p>No job needed a retry.</p>';
  const rows = retried.map((j) => `<tr><td>${esc(j.name)}</td><td>${j.attempts}</td><td>${j.attemptStartSeconds.map((s) => clock(s * 1000)).join(', ')}</td><td>${esc(j.status.replace('_', ' '))}</td><td>${esc(j.error ?? '')}</td></tr>`);
  return `<table><thead><tr><th>job</th><th>attempts</th><th>started at</th><th>outcome</th><th>last error</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

const count = (n: number): string => n.toLocaleString('en-US');
const r = (v: number): string => String(Math.round(v * 10) / 10);

const PAGE_CSS = [
  'body{font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:24px;color:#1f2328;background:#fff}',
  'h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}',
  '.date{color:#57606a;font-weight:400}.outcome{font-size:13px;padding:2px 8px;border-radius:10px;vertical-align:middle}',
  '.outcome.ok{background:#d3f9d8;color:#1b5e20}.outcome.bad{background:#ffe3e3;color:#a61e1e}',
  '.figures{display:flex;flex-wrap:wrap;gap:10px 28px;margin:12px 0 0}.figures dt{font-size:12px;color:#57606a}.figures dd{margin:0;font-size:16px;font-weight:600}',
  '.scroll{overflow-x:auto}.legend{font-size:12px;color:#57606a}',
  '.key{display:inline-block;width:18px;height:10px;margin:0 4px 0 12px;vertical-align:middle;background:#4c6ef5}',
  '.key.critical{background:#d9480f}.key.external{background:none;border-top:2px dashed #b08800;height:0}.key.wait{background:#c5d0e6}.key.fail{background:#e03131}.key.retry{width:2px;background:#1f2328}',
  '.sg-gantt{font-family:inherit}.sg-gantt .name{font-size:12px;text-anchor:end;fill:#1f2328}.sg-gantt .state{font-size:11px;fill:#57606a}',
  '.sg-gantt .axis{font-size:10px;text-anchor:middle;fill:#57606a}.sg-gantt .tick{stroke:#eaeef2}',
  '.sg-gantt .bar{fill:#4c6ef5}.sg-gantt .bar.critical{fill:#d9480f}.sg-gantt .bar.fail{fill:#e03131}.sg-gantt .wait{fill:#c5d0e6}.sg-gantt .retry{stroke:#1f2328;stroke-width:2}',
  'table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #d0d7de;padding:4px 8px;text-align:left}code{font-size:12px}',
].join('\n');
