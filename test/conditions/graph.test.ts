// graph draws conditional jobs and trigger rules distinctly, in every format, and a condition's
// values cannot break out of a label.
import { describe, expect, it } from 'vitest';
import { compileTexts } from '../../generator/compile.ts';
import { renderGraph } from '../../generator/render/graph.ts';
import { renderSvgGraph } from '../../generator/render/svg.ts';

const TEXT = `name: drawn
jobs:
  load:
    lambda: load
  publish:
    needs: [load]
    lambda: publish
    when: { param: mode, equals: 'full"]; click x "<b>' }
  cleanup:
    needs: [load]
    lambda: cleanup
    run_if: all_done
`;
const workflow = compileTexts([{ file: 'drawn.yaml', text: TEXT }]).compiled[0].workflow;

describe('graph with conditions and trigger rules', () => {
  it('mermaid: the condition under the job, dashed; the rule on a dotted edge; values escaped', () => {
    const text = renderGraph(workflow, 'mermaid');
    expect(text).toContain('publish["publish<br/><small>lambda<br/>when param mode = #34;full\\#34;]; click x \\#34;#60;b#62;#34;</small>"]');
    expect(text).toContain('  load --> publish');
    expect(text).toContain('  load -. "all_done" .-> cleanup');
    expect(text).toContain('  class publish conditional');
  });

  it('dot: dashed conditional box, dotted labelled rule edge', () => {
    const text = renderGraph(workflow, 'dot');
    expect(text).toMatch(/"publish" \[label="publish\\nlambda\\nwhen param mode = .*", style="rounded,dashed"\];/);
    expect(text).toContain('"load" -> "cleanup" [style=dotted, label="all_done"];');
    expect(text).toContain('"load" -> "publish";');
  });

  it('svg: a conditional class and the rule as an edge label, text escaped', () => {
    const svg = renderSvgGraph(workflow);
    expect(svg).toContain('class="node job conditional"');
    expect(svg).toContain('>all_done</text>');
    expect(svg).not.toContain('<b>');
  });
});
