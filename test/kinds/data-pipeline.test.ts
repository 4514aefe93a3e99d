// data_pipeline stays for the accounts that still have AWS Data Pipeline; every problem with one
// says that new accounts cannot use it and which kinds run the same work today.
import { describe, expect, it } from 'vitest';
import { checkWorkflow } from '../../generator/check/workflow.ts';
import { readSource } from '../../generator/source.ts';

function check(text: string) {
  const { source } = readSource('w.yaml', text);
  return checkWorkflow(source, {}).diagnostics.map((d) => ({ code: d.code, line: source.lines.position(d.start).line, hint: d.hint ?? '' }));
}

describe('data_pipeline jobs', () => {
  it('GIVEN a mistyped template and a parameter that is a list WHEN checked THEN each error points at its parameter and says the service is closed to new customers', () => {
    const found = check('name: w\njobs:\n  a:\n    data_pipeline:\n      name: p\n      parameters:\n        myMonth: "{month}"\n        myDay: [1]\n');
    expect(found.map((d) => d.line)).toEqual([7, 8]);
    for (const d of found) expect(d.hint).toMatch(/closed to new customers.*glue, batch, ecs or emr_serverless/);
    expect(found[0].hint).toMatch(/templates are \{yyyy\}/);
  });

  it('GIVEN a correct data_pipeline job WHEN checked THEN there is nothing to say', () => {
    expect(check('name: w\njobs:\n  a:\n    data_pipeline: player-entry\n')).toEqual([]);
  });
});
