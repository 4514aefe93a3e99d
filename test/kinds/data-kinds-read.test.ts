// Reading the Glue, Athena and EMR Serverless kinds: every mistake gets a diagnostic with a stable
// code at the line and column of the offending value, and a hostile value stays data all the way
// to the service: verbatim in the rendered States.Format and in what the Task sends.
import { describe, expect, it } from 'vitest';
import { compileTexts } from '../../generator/compile.ts';
import { formatDiagnostic } from '../../generator/diagnostics.ts';
import { StateMachine, type JsonValue } from '../../generator/local/engine.ts';
import { validateAsl } from '../support/asl-validate.ts';

/** A one-job workflow whose job is `kind` (YAML text indented under the job). */
const workflow = (kind: string, partition = 'daily'): string => `name: kinds\npartition: ${partition}\njobs:\n  j:\n${kind.replace(/^/gm, '    ')}\n`;

function diagnostics(kind: string): string[] {
  const text = workflow(kind);
  const result = compileTexts([{ file: 'kinds.yaml', text }]);
  expect(result.compiled).toEqual([]);
  return result.diagnostics.map((d) => formatDiagnostic(d, result.lineMaps));
}

/** `kinds.yaml:<line>:<col>` of the first `needle` in the workflow built from `kind` (after `after`). */
function at(kind: string, needle: string, after = ''): string {
  const text = workflow(kind);
  const offset = text.indexOf(needle, text.indexOf(after));
  const before = text.slice(0, offset).split('\n');
  return `kinds.yaml:${before.length}:${before[before.length - 1].length + 1}`;
}

/** Expects exactly one error: `code` at `needle`, its message or hint matching `message`. */
function expectError(kind: string, code: string, needle: string, message: RegExp): void {
  const found = diagnostics(kind);
  expect(found).toHaveLength(1);
  expect(found[0]).toMatch(new RegExp(`^${at(kind, needle).replace(/[.]/g, '\\.')} error ${code}: `));
  expect(found[0]).toMatch(message);
}

describe('glue', () => {
  it('refuses a wrong type, a missing job, an unknown field (with a did-you-mean) and a bad name', () => {
    expectError('glue: 42', 'SG1004', '42', /'glue' must be a non-empty string/);
    expectError('glue: { arguments: { --a: b } }', 'SG1005', 'glue:', /'glue' needs 'job'/);
    const misspelt = 'glue: { job: etl, argumnets: { --a: b } }';
    expectError(misspelt, 'SG1003', 'argumnets', /unknown key 'argumnets'/);
    expect(diagnostics(misspelt).join('\n')).not.toContain('SG1005');
    expectError('glue: "nightly*"', 'SG3006', '"nightly*"', /contains '\*', '\?' or '\$'/);
    expectError(`glue: "${'j'.repeat(256)}"`, 'SG3006', '"jjj', /is not a valid Glue job name/);
  });

  it("refuses an argument without '--', one ending in '.$', unknown templates and {hh} in a daily workflow", () => {
    expectError('glue: { job: etl, arguments: { date: "{date}" } }', 'SG1004', 'date:', /does not start with '--'/);
    expectError('glue: { job: etl, arguments: { --input.$: "$.input" } }', 'SG3008', '--input.$', /ends in '\.\$'/);
    expectError('glue: { job: etl, arguments: { --week: "{week}" } }', 'SG3008', '"{week}"', /unknown template '\{week\}'/);
    expectError('glue: { job: etl, arguments: { --hour: "{hh}" } }', 'SG3008', '"{hh}"', /needs an hourly partition/);
  });

  it('checks the worker type, that workers come with it, and the timeout in whole minutes', () => {
    expectError('glue: { job: etl, worker_type: G.1, number_of_workers: 2 }', 'SG3007', 'G.1', /not a Glue worker type/);
    expectError('glue: { job: etl, worker_type: G.2X }', 'SG1005', 'G.2X', /'worker_type' needs 'number_of_workers'/);
    expectError('glue: { job: etl, worker_type: G.2X, number_of_workers: 0 }', 'SG3009', '0 }', /whole number 1 or more/);
    expectError('glue: { job: etl, timeout: 90s }', 'SG3001', '90s', /whole minutes from 1m to 7d/);
    expectError('glue: { job: etl, timeout: 8d }', 'SG3001', '8d', /whole minutes/);
    expectError('glue: { job: etl, timeout: 90 }', 'SG3001', '90 }', /bare number/);
  });
});

describe('athena', () => {
  it('refuses a bare string, a missing query, an unknown field and bad names', () => {
    expectError('athena: select 1', 'SG1004', 'select 1', /'athena' must be a mapping/);
    expectError('athena: { workgroup: etl }', 'SG1005', 'athena:', /'athena' needs 'query'/);
    expectError('athena: { query: select 1, databse: analytics }', 'SG1003', 'databse', /did you mean 'database'/);
    expectError('athena: { query: select 1, workgroup: "etl team" }', 'SG3006', '"etl team"', /not a valid Athena workgroup name/);
    expectError('athena: { query: select 1, database: "a.b" }', 'SG3006', '"a.b"', /not a valid database name/);
    expectError('athena: { query: select 1, catalog: "my catalog" }', 'SG3006', '"my catalog"', /not a valid Athena data catalog name/);
    expectError('athena: { query: "select {week}" }', 'SG3008', '"select', /unknown template/);
  });

  it('checks the output location: s3://, a valid bucket without templates, no wildcards', () => {
    expectError('athena: { query: select 1, output: "results/daily/" }', 'SG3010', '"results', /is not an S3 location/);
    expectError('athena: { query: select 1, output: "s3://Results_Bucket/x/" }', 'SG3010', '"s3:', /does not name a valid S3 bucket/);
    expectError('athena: { query: select 1, output: "s3://results-{yyyy}/x/" }', 'SG3010', '"s3:', /does not name a valid S3 bucket/);
    expectError('athena: { query: select 1, output: "s3://results/*/" }', 'SG3010', '"s3:', /contains '\*'/);
    expectError('athena: { query: select 1, output: "s3://results/{week}/" }', 'SG3008', '"s3:', /unknown template/);
  });
});

describe('emr_serverless', () => {
  const ok = { application: '00f1abcd2efgh3ij', role: 'arn:aws:iam::123456789012:role/emr-job', entry: 's3://code/etl.py' };
  const emr = (fields: string): string => `emr_serverless: { ${fields} }`;

  it('refuses missing fields, an unknown field, a bad application id and a bad role', () => {
    expectError(emr(`application: ${ok.application}, role: "${ok.role}"`), 'SG1005', 'emr_serverless:', /needs 'entry_point'/);
    expectError(emr(`application: ${ok.application}, role: "${ok.role}", entry_point: ${ok.entry}, argments: []`), 'SG1003', 'argments', /did you mean 'arguments'/);
    expectError(emr(`application: APP-1, role: "${ok.role}", entry_point: ${ok.entry}`), 'SG3006', 'APP-1', /not an EMR Serverless application id/);
    expectError(emr(`application: ${ok.application}, role: "arn:aws:iam::123:role/x", entry_point: ${ok.entry}`), 'SG3006', '"arn:', /not a valid IAM role ARN/);
    expectError(emr(`application: ${ok.application}, role: "arn:aws:iam::123456789012:role/*", entry_point: ${ok.entry}`), 'SG3006', '"arn:', /not a valid IAM role ARN/);
  });

  it('reads arguments as a list of strings with templates', () => {
    const base = `application: ${ok.application}, role: "${ok.role}", entry_point: ${ok.entry}`;
    expectError(emr(`${base}, arguments: "--date {date}"`), 'SG1004', '"--date', /'arguments' must be a list/);
    expectError(emr(`${base}, arguments: [--date, "{week}"]`), 'SG3008', '"{week}"', /unknown template/);
    expectError(emr(`${base}, arguments: [--date, {a: 1}]`), 'SG1004', '{a: 1}', /must be a non-empty string/);
  });
});

describe('a hostile value stays data', () => {
  // Quotes, braces, backslashes and a path: each must reach the service exactly as written.
  const hostile = `it's "q" \\ }{ $.path States.Format('x') {date}`;
  const yamlHostile = JSON.stringify(hostile);
  const cases = [
    { kind: `glue: { job: etl, arguments: { --note: ${yamlHostile} } }`, key: '--note.$', value: (p: any) => p.Arguments['--note'] },
    { kind: `athena: { query: ${yamlHostile} }`, key: 'QueryString.$', value: (p: any) => p.QueryString },
    {
      kind: `emr_serverless: { application: a1, role: "arn:aws:iam::123456789012:role/r", entry_point: s3://c/e.py, arguments: [${yamlHostile}] }`,
      key: 'EntryPointArguments.$',
      value: (p: any) => p.JobDriver.SparkSubmit.EntryPointArguments[0],
    },
  ];

  it.each(cases)('$key', async ({ kind, key, value }) => {
    // GIVEN a job whose argument is hostile
    const result = compileTexts([{ file: 'kinds.yaml', text: workflow(kind) }]);
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const state = result.compiled[0].definitions[0].definition.States.j as Record<string, any>;

    // THEN the rendered format escapes quotes and braces as an intrinsic string literal, and
    // passes the backslash as an argument (the validators cannot read its escape)
    const format = "States.Format('it\\'s \"q\" {} \\}\\{ $.path States.Format(\\'x\\') {}', States.Base64Decode('XA=='), $.date)";
    expect(JSON.stringify(state.Parameters)).toContain(`"${key}":${JSON.stringify(key === 'EntryPointArguments.$' ? `States.Array(${format})` : format)}`);
    expect(await validateAsl(result.compiled[0].definitions[0].definition)).toEqual([]);

    // AND the Task, run on the engine, sends the value as written with the run's date filled in
    let sent: any;
    const definition = { StartAt: 'j', States: { j: { ...state, ResultSelector: undefined, ResultPath: null, Next: undefined, End: true } } };
    const handler = async (input: JsonValue): Promise<JsonValue> => ((sent = input), {});
    const run = { datekey: '20190312', yyyy: '2019', mm: '03', dd: '12', hh: '00', execution: 'e' };
    await new StateMachine(JSON.parse(JSON.stringify(definition)), { validationOptions: { checkArn: false } } as never).run({ date: '2019-03-12', run, params: {} }, { overrides: { taskResourceLocalHandlers: { j: handler } } } as never).result;
    expect(value(sent)).toBe(hostile.replace('{date}', '2019-03-12'));
  });
});
