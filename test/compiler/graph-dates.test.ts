// `graph` draws waits across dates distinctly: the other partition's markers as a node of their
// own, the offset on the edge, and a wait for this workflow's own past as an edge from the job
// that writes the marker (dotted in DOT, and no rank constraint, since it may point at itself).
import { describe, expect, it } from 'vitest';
import { compilePaths } from '../../generator/compile.ts';
import { layoutGraph } from '../../generator/render/layout.ts';
import { renderGraph } from '../../generator/render/graph.ts';

const { workflow } = compilePaths(['workflows/events-rollup.yaml']).compiled[0];

describe('graph: waits across dates', () => {
  it('mermaid: hourly markers as a stack, own past from the job, offsets on the edges', () => {
    const text = renderGraph(workflow, 'mermaid');
    expect(text).toContain('  marker_events__hourly[["events<br/><small>24 hourly markers</small>"]]');
    expect(text).toContain('  marker_events__hourly -. "6h" .-> daily_rollup');
    expect(text).toContain('  daily_rollup -.->|"-1d (earlier run), 6h"| daily_rollup');
    expect(text).toContain('  daily_rollup -.->|"-7d (earlier run), 6h"| week_over_week');
    // No marker node for a marker this workflow writes itself.
    expect(text).not.toContain('marker_daily_rollup');
  });

  it('dot: a double-bordered note for the other partition, dotted unconstrained edges for the past', () => {
    const text = renderGraph(workflow, 'dot');
    expect(text).toContain('"marker:events::hourly" [shape=note, style=dashed, peripheries=2, label="events\\n(24 hourly markers)"];');
    expect(text).toContain('"daily_rollup" -> "daily_rollup" [style=dotted, constraint=false, label="-1d (earlier run), waits ≤ 6h"];');
  });

  it('svg layout: an earlier run is a node of its own before the job', () => {
    const layout = layoutGraph(workflow, (s) => `${s / 3600}h`);
    const past = layout.nodes.filter((n) => n.detail.endsWith('(earlier run)')).map((n) => `${n.label} ${n.detail}`);
    expect(past.sort()).toEqual(['daily_rollup -1d (earlier run)', 'daily_rollup -7d (earlier run)']);
    expect(layout.nodes.find((n) => n.label === 'events')?.detail).toBe('24 hourly markers');
  });
});
