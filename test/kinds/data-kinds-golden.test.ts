// The Glue, Athena and EMR Serverless kinds render their optimized .sync integrations: each fixture
// under test/fixtures/kinds/<kind>/ compiles to its checked-in definition and manifest (grants),
// passes both ASL validators, and its input is valid against the JSON Schema editors use.
import { Ajv } from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { compileTexts } from '../../generator/compile.ts';
import { formatDiagnostic } from '../../generator/diagnostics.ts';
import { validateAsl } from '../support/asl-validate.ts';
import { expectGolden } from '../support/golden.ts';

const root = 'test/fixtures/kinds';
const schema = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync('schema/workflow.schema.json', 'utf8')));

function compileFixture(kind: string) {
  const file = join(root, kind, 'input.yaml');
  const text = readFileSync(file, 'utf8');
  const result = compileTexts([{ file, text }]);
  expect(result.diagnostics.map((d) => formatDiagnostic(d, result.lineMaps))).toEqual([]);
  return { text, compiled: result.compiled[0] };
}

describe.each(['glue', 'athena', 'emr_serverless'])('the %s kind', (kind) => {
  const { text, compiled } = compileFixture(kind);

  it('matches its golden ASL and manifest', () => {
    expect(compiled.definitions).toHaveLength(1);
    expectGolden(join(root, kind, 'expected.asl.json'), compiled.definitions[0].text);
    expectGolden(join(root, kind, 'expected.manifest.json'), `${JSON.stringify(compiled.manifest, null, 2)}\n`);
  });

  it('passes asl-validator and the amazon-states-language-service validator', async () => {
    expect(await validateAsl(compiled.definitions[0].definition)).toEqual([]);
  });

  it('is a workflow the JSON Schema accepts', () => {
    expect(schema(parse(text)), JSON.stringify(schema.errors)).toBe(true);
  });
});

describe('the .sync Tasks', () => {
  const task = (kind: string, state: string) => compileFixture(kind).compiled.definitions[0].definition.States[state] as Record<string, any>;

  it('Glue: startJobRun.sync with the job, its --key arguments as States.Format of the run, workers and timeout', () => {
    const curate = task('glue', 'curate');
    expect(curate.Resource).toBe('arn:aws:states:::glue:startJobRun.sync');
    expect(curate.Parameters).toStrictEqual({
      JobName: 'curate-events',
      Arguments: {
        '--source.$': "States.Format('s3://acme-raw/events/{}/{}/{}/', $.run.yyyy, $.run.mm, $.run.dd)",
        '--run_date.$': "States.Format('{}', $.date)",
        '--mode': 'full',
      },
      WorkerType: 'G.1X',
      NumberOfWorkers: 10,
      Timeout: 120,
    });
    // The job's own timeout and retry apply as to any kind.
    expect(curate.TimeoutSeconds).toBe(3 * 3600);
    expect(task('glue', 'crawl_raw').Parameters).toStrictEqual({ JobName: 'raw-crawl-job' });
  });

  it("Athena: startQueryExecution.sync with the query, the workgroup ('primary' by default), database and output", () => {
    expect(task('athena', 'repair')).toMatchObject({
      Resource: 'arn:aws:states:::athena:startQueryExecution.sync',
      Parameters: { QueryString: 'MSCK REPAIR TABLE analytics.events', WorkGroup: 'primary' },
    });
    expect(task('athena', 'daily_totals').Parameters).toStrictEqual({
      'QueryString.$': "States.Format('INSERT INTO daily_totals SELECT \\'{}\\' AS day, count(*) FROM events WHERE dt = \\'{}\\'', $.date, $.run.datekey)",
      WorkGroup: 'etl',
      QueryExecutionContext: { Database: 'analytics' },
      ResultConfiguration: { 'OutputLocation.$': "States.Format('s3://acme-athena-results/daily/{}/{}/{}/', $.run.yyyy, $.run.mm, $.run.dd)" },
    });
  });

  it('EMR Serverless: startJobRun.sync with application, execution role, a fresh client token and the Spark driver', () => {
    expect(task('emr_serverless', 'sessionize')).toMatchObject({
      Resource: 'arn:aws:states:::emr-serverless:startJobRun.sync',
      Parameters: {
        ApplicationId: '00f1abcd2efgh3ij',
        ExecutionRoleArn: 'arn:aws:iam::123456789012:role/emr-serverless-job',
        'Name.$': "States.Format('emr-nightly.sessionize {}', $.run.datekey)",
        'ClientToken.$': 'States.UUID()',
        JobDriver: {
          SparkSubmit: {
            EntryPoint: 's3://acme-code/spark/sessionize.py',
            'EntryPointArguments.$': "States.Array('--date', States.Format('{}', $.date), '--input', States.Format('s3://acme-raw/events/{}/{}/{}/', $.run.yyyy, $.run.mm, $.run.dd))",
            SparkSubmitParameters: '--conf spark.executor.memory=4g',
          },
        },
      },
    });
  });
});
