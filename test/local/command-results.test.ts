// run --local: a job's local command hands its result back through the file STEPGRAPH_RESULT
// names; the job's outputs are picked from it as from the AWS result (a Lambda's is its Payload)
// and flow on as in AWS: marker bodies, `{inputs.<job>.<name>}` in downstream commands, a for_each
// over a list, a `when` on a count. A result that is not usable fails the job (exit 3), never with
// a stack trace, and whatever a hostile command leaves there is read as data.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../generator/cli/main.ts';
import { compilePaths, compileTexts, type CompiledWorkflow } from '../../generator/compile.ts';
import { DirectoryMarkerStore } from '../../generator/local/directory-store.ts';
import { runLocally } from '../../generator/local/local-run.ts';
import { parseOutputFlags } from '../../generator/local/outputs.ts';
import { MAX_DEPTH, RESULT_LIMIT_BYTES } from '../../generator/local/result-file.ts';
import type { RunReport } from '../../generator/local/summary.ts';

const temp = (): string => mkdtempSync(join(tmpdir(), 'stepgraph-results-'));

function compileOne(text: string): CompiledWorkflow {
  const result = compileTexts([{ file: 'data.yaml', text }]);
  expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return result.compiled[0];
}

const quiet = { write: () => {} };

/** A workflow whose first job's command writes a list and a count; `out` is where the commands write their files. */
const DATA_FLOW = (out: string): string => `
name: data-flow
jobs:
  list_partitions:
    lambda: list-partitions
    outputs:
      partitions: $.Payload.partitions
      rows: $.Payload.rowCount
    local: { command: "echo listing; printf '%s' '{\\"partitions\\": [\\"p0\\", \\"p 1\\", \\"p;2 $(touch ${out}/pwned)\\"], \\"rowCount\\": 12}' > \\"$STEPGRAPH_RESULT\\"" }
  load_partition:
    needs: [list_partitions]
    for_each: list_partitions.partitions
    max_concurrent: 2
    glue: { job: loader, arguments: { --partition: "{item}" } }
    outputs: { loaded: $.loaded }
    local: { command: "printf '%s|%s|%s' {item} {index} \\"$STEPGRAPH_ITEM\\" > ${out}/load-{index}.txt; printf '{\\"loaded\\": \\"%s\\"}' {index} > \\"$STEPGRAPH_RESULT\\"" }
  publish:
    needs: [load_partition]
    when: { output: list_partitions.rows, greater_than: 10 }
    lambda: publish
    local: { command: "printf 'rows=%s loaded=%s first=%s' {inputs.list_partitions.rows} {inputs.load_partition.loaded} {inputs.list_partitions.partitions} > ${out}/publish.txt" }
  archive:
    needs: [load_partition]
    when: { output: list_partitions.rows, greater_than: 100 }
    lambda: archive
    local: { command: "touch ${out}/archive.txt" }
`;

async function marker(store: DirectoryMarkerStore, workflow: string, job: string): Promise<{ outputs?: unknown } | undefined> {
  const body = await store.get(`stepgraph-${workflow}-markers`, `done/${job}__20190312.done`);
  return body === undefined ? undefined : JSON.parse(body);
}

describe('run --local: results handed back by local commands', () => {
  it('runs the for_each over the list the first command wrote, the when on its count, and hands inputs to a later command as data', async () => {
    // GIVEN the workflow and folders for markers, results and the commands' own files
    const out = temp();
    const compiled = compileOne(DATA_FLOW(out));
    const store = new DirectoryMarkerStore(temp());
    const resultsFolder = temp();

    // WHEN it runs locally
    const report = await runLocally(compiled, { date: '2019-03-12', store, output: quiet, resultsFolder }).report;

    // THEN it succeeded; the for_each ran one command per element, each with its own item and index
    expect(report.status, report.error ?? '').toBe('SUCCEEDED');
    expect(readFileSync(join(out, 'load-0.txt'), 'utf8')).toBe('p0|0|p0');
    expect(readFileSync(join(out, 'load-1.txt'), 'utf8')).toBe('p 1|1|p 1');
    // AND an element holding shell syntax arrived as one word of data: nothing ran
    expect(readFileSync(join(out, 'load-2.txt'), 'utf8')).toBe(`p;2 $(touch ${out}/pwned)|2|p;2 $(touch ${out}/pwned)`);
    expect(existsSync(join(out, 'pwned'))).toBe(false);
    // AND the condition on the count ran publish (12 > 10) and skipped archive (12 > 100 is false)
    const status = new Map(report.jobs.map((j) => [j.name, j.status]));
    expect(status.get('publish')).toBe('succeeded');
    expect(existsSync(join(out, 'archive.txt'))).toBe(false);
    expect(status.get('archive')).not.toBe('succeeded');
    // AND publish read the upstream outputs through {inputs.<job>.<name>}, lists as JSON
    expect(readFileSync(join(out, 'publish.txt'), 'utf8')).toBe(`rows=12 loaded=["0","1","2"] first=["p0","p 1","p;2 $(touch ${out}/pwned)"]`);
    // AND the markers carry the outputs as AWS would write them
    expect((await marker(store, 'data-flow', 'list_partitions'))?.outputs).toEqual({ partitions: ['p0', 'p 1', `p;2 $(touch ${out}/pwned)`], rows: 12 });
    expect((await marker(store, 'data-flow', 'load_partition'))?.outputs).toEqual({ loaded: ['0', '1', '2'] });
    expect(await marker(store, 'data-flow', 'archive')).toBeUndefined();
    // AND every command run got a file of its own in one folder of the run (three items each their own)
    const [runFolder] = readdirSync(resultsFolder);
    expect(runFolder).toMatch(/^data-flow__20190312-/);
    const files = readdirSync(join(resultsFolder, runFolder));
    expect(files.map((f) => f.replace(/\.\d+\.json$/, '')).sort()).toEqual(['list_partitions', 'load_partition.item-0', 'load_partition.item-1', 'load_partition.item-2']);
    expect(new Set(files.map((f) => /\.(\d+)\.json$/.exec(f)![1])).size).toBe(files.length);
  });

  it('runs at most max_concurrent item commands at a time', async () => {
    // GIVEN six elements and max_concurrent 2; each item notes how many others were running as it started
    const out = temp();
    const compiled = compileOne(`
name: fan-out
jobs:
  list:
    lambda: list
    outputs: { names: $.Payload }
    local: { command: "echo '[1,2,3,4,5,6]' > \\"$STEPGRAPH_RESULT\\"" }
  each:
    needs: [list]
    for_each: list.names
    max_concurrent: 2
    lambda: each
    local: { command: "mkdir -p ${out}/running; ls ${out}/running | wc -l > ${out}/seen-{index}; touch ${out}/running/{index}; sleep 0.2; rm ${out}/running/{index}" }
`);

    // WHEN it runs
    const report = await runLocally(compiled, { date: '2019-03-12', store: new DirectoryMarkerStore(temp()), output: quiet, resultsFolder: temp() }).report;

    // THEN six item commands ran, none of them beside more than one other
    expect(report.status, report.error ?? '').toBe('SUCCEEDED');
    const seen = readdirSync(out).filter((f) => f.startsWith('seen-')).map((f) => Number(readFileSync(join(out, f), 'utf8').trim()));
    expect(seen).toHaveLength(6);
    expect(Math.max(...seen)).toBeLessThanOrEqual(1);
  });

  it('reads each item result on its own: a bad one fails the job naming the item', async () => {
    const compiled = compileOne(`
name: items
jobs:
  list:
    lambda: list
    outputs: { names: $.Payload }
    local: { command: "echo '[\\"a\\", \\"b\\", \\"c\\"]' > \\"$STEPGRAPH_RESULT\\"" }
  each:
    needs: [list]
    for_each: list.names
    lambda: each
    outputs: { size: $.Payload.size }
    local: { command: "if [ {index} = 1 ]; then echo oops > \\"$STEPGRAPH_RESULT\\"; else echo '{\\"size\\": {index}}' > \\"$STEPGRAPH_RESULT\\"; fi" }
`);
    const report = await runLocally(compiled, { date: '2019-03-12', store: new DirectoryMarkerStore(temp()), output: quiet, resultsFolder: temp() }).report;
    expect(report.status).toBe('FAILED');
    expect(report.failedJob).toBe('each');
    expect(report.error).toMatch(/job 'each' \(item 1\): its result file .*each\.item-1\.\d+\.json is not JSON/);
  });

  it('lets --output override what a command wrote', async () => {
    const out = temp();
    const compiled = compileOne(DATA_FLOW(out));
    const outputValues = parseOutputFlags(compiled.workflow, ['list_partitions.partitions=["only"]', 'list_partitions.rows=500']);
    const report = await runLocally(compiled, { date: '2019-03-12', store: new DirectoryMarkerStore(temp()), output: quiet, resultsFolder: temp(), outputValues }).report;
    expect(report.status, report.error ?? '').toBe('SUCCEEDED');
    expect(readdirSync(out).filter((f) => f.startsWith('load-'))).toEqual(['load-0.txt']);
    expect(existsSync(join(out, 'archive.txt'))).toBe(true);
  });

  it('runs the example partition-loads on the results its commands write', async () => {
    const compiled = compilePaths(['workflows/partition-loads.yaml']).compiled[0];
    const store = new DirectoryMarkerStore(temp());
    const output: string[] = [];
    const report = await runLocally(compiled, { date: '2019-03-12', store, output: { write: (t) => void output.push(t) }, resultsFolder: temp() }).report;
    expect(report.status, report.error ?? '').toBe('SUCCEEDED');
    expect((await marker(store, 'partition-loads', 'list_partitions'))?.outputs).toEqual({ partitions: ['eu-west', 'us-east', 'ap-south'], rows: 1200 });
    expect(output.join('')).toContain('[load_partition] loading ap-south as element 2 of 1200 rows, schema v3');
  });

  it('places a result where the kind puts it in its AWS answer: a Glue job result over its JobRun', async () => {
    const compiled = compileOne(`
name: glue-result
jobs:
  load:
    glue: loader
    outputs: { run_id: $.Id, rows: $.rows }
    local: { command: "echo '{\\"rows\\": 7}' > \\"$STEPGRAPH_RESULT\\"" }
`);
    const store = new DirectoryMarkerStore(temp());
    const report = await runLocally(compiled, { date: '2019-03-12', store, output: quiet, resultsFolder: temp() }).report;
    expect(report.status, report.error ?? '').toBe('SUCCEEDED');
    expect((await marker(store, 'glue-result', 'load'))?.outputs).toEqual({ run_id: 'jr_local', rows: 7 });
  });
});

/** One job whose command leaves `setup` (shell) in place of its result; outputs read `$.Payload.value`. */
async function runWith(setup: string, options: { retry?: boolean } = {}): Promise<{ report: RunReport; out: string }> {
  const out = temp();
  const compiled = compileOne(`
name: hostile
${options.retry ? 'defaults:\n  retry: { attempts: 2, interval: 1s }\n' : ''}jobs:
  produce:
    lambda: produce
    outputs: { value: $.Payload.value }
    local: { command: "echo ran >> ${out}/runs; ${setup.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}" }
`);
  const report = await runLocally(compiled, { date: '2019-03-12', store: new DirectoryMarkerStore(temp()), output: quiet, resultsFolder: temp(), speed: 0.001 }).report;
  return { report, out };
}

describe('run --local: results that cannot be used fail the job as AWS fails the Task', () => {
  it('a file that is not JSON: States.Runtime naming the job and the file, not retried', async () => {
    const { report, out } = await runWith(`echo 'rows: 12' > "$STEPGRAPH_RESULT"`, { retry: true });
    expect(report.status).toBe('FAILED');
    expect(report.failedJob).toBe('produce');
    expect(report.error).toMatch(/States\.Runtime.*job 'produce': its result file .*produce\.1\.json is not JSON/);
    // Step Functions retries no States.Runtime, whatever the Retry says: the command ran once
    expect(readFileSync(join(out, 'runs'), 'utf8')).toBe('ran\n');
  });

  it('a result bigger than the 256 KiB payload: States.DataLimitExceeded', async () => {
    const { report } = await runWith(`head -c ${RESULT_LIMIT_BYTES + 1} /dev/zero | tr '\\0' ' ' > "$STEPGRAPH_RESULT"`);
    expect(report.status).toBe('FAILED');
    expect(report.error).toMatch(/States\.DataLimitExceeded.*holds 262145 bytes, more than Step Functions' 256 KiB payload/);
  });

  it('an output path pointing to no value, and no result file at all: States.Runtime naming the output', async () => {
    const wrong = await runWith(`echo '{"other": 1}' > "$STEPGRAPH_RESULT"`);
    expect(wrong.report.status).toBe('FAILED');
    expect(wrong.report.error).toMatch(/States\.Runtime.*job 'produce': output 'value' reads \$\.Payload\.value, which points to no value in its command's result, read from .*produce\.1\.json/);
    const none = await runWith('true');
    expect(none.report.status).toBe('FAILED');
    expect(none.report.error).toMatch(/output 'value' reads \$\.Payload\.value, which points to no value in its command's result: the command wrote no result file/);
  });

  it('a symbolic link in place of the file is not followed out of the run folder', async () => {
    // GIVEN a secret outside the run folder, a valid result in it
    const secret = join(temp(), 'secret.json');
    writeFileSync(secret, '{"value": "secret"}');
    const { report } = await runWith(`ln -s ${secret} "$STEPGRAPH_RESULT"`);
    expect(report.status).toBe('FAILED');
    expect(report.error).toMatch(/is a symbolic link: results are read only from a regular file in the run folder/);
    expect(report.error).not.toContain('"secret"');
  });

  it.each([
    ['a FIFO', 'mkfifo "$STEPGRAPH_RESULT"'],
    ['a folder', 'mkdir "$STEPGRAPH_RESULT"'],
  ])('%s in place of the file is refused without hanging the run', async (_what, setup) => {
    const { report } = await runWith(setup);
    expect(report.status).toBe('FAILED');
    expect(report.error).toMatch(/job 'produce': its result file .* is not a regular file/);
  });

  it('a run folder replaced by a link is refused', async () => {
    const elsewhere = temp();
    writeFileSync(join(elsewhere, 'x.json'), '{"value": 1}');
    const { report } = await runWith(`d=$(dirname "$STEPGRAPH_RESULT"); rm -rf "$d"; ln -s ${elsewhere} "$d"`);
    expect(report.status).toBe('FAILED');
    expect(report.error).toMatch(/the run folder .* was replaced or removed/);
  });

  it('a parse error quoting the file shows its control characters escaped, on one line', async () => {
    const { report } = await runWith(`printf 'x\\033[2J\\n' > "$STEPGRAPH_RESULT"`);
    expect(report.error).toContain('is not JSON');
    expect(report.error).toContain('\\u001b[2J\\u000a');
    expect(report.error).not.toMatch(/[\u0000-\u001f]/);
  });

  it('a file that is not UTF-8 names the first bad byte', async () => {
    const { report } = await runWith(`printf '{"value": "\\377"}' > "$STEPGRAPH_RESULT"`);
    expect(report.status).toBe('FAILED');
    expect(report.error).toMatch(/is not UTF-8 text \(byte 11 is not valid UTF-8\)/);
  });

  it('nesting deeper than the limit is refused before the engine copies it', async () => {
    const depth = MAX_DEPTH + 1;
    const { report } = await runWith(`printf '{"value": ' > "$STEPGRAPH_RESULT"; head -c ${depth - 1} /dev/zero | tr '\\0' '[' >> "$STEPGRAPH_RESULT"; head -c ${depth - 1} /dev/zero | tr '\\0' ']' >> "$STEPGRAPH_RESULT"; printf '}' >> "$STEPGRAPH_RESULT"`);
    expect(report.status).toBe('FAILED');
    expect(report.error).toContain(`nests arrays and objects ${depth} deep, more than ${MAX_DEPTH}`);
  });

  it('numbers JSON here cannot carry exactly are refused; a huge one written as a string passes', async () => {
    const infinite = await runWith(`echo '{"value": 1e400}' > "$STEPGRAPH_RESULT"`);
    expect(infinite.report.error).toMatch(/holds the number 1e400, which JSON numbers here cannot carry exactly \(it is too large for a double\): write it as a string/);
    const inexact = await runWith(`echo '{"value": 12345678901234567890}' > "$STEPGRAPH_RESULT"`);
    expect(inexact.report.error).toMatch(/holds the number 12345678901234567890, .*past 2\^53 it would read as 12345678901234567168/);
    const text = await runWith(`echo '{"value": "12345678901234567890", "n": 9007199254740991}' > "$STEPGRAPH_RESULT"`);
    expect(text.report.status, text.report.error ?? '').toBe('SUCCEEDED');
  });

  it('__proto__ and constructor keys are plain keys: nothing is polluted and the values arrive', async () => {
    const out = temp();
    const compiled = compileOne(`
name: proto
jobs:
  produce:
    lambda: produce
    outputs: { value: $.Payload.__proto__, ctor: $.Payload.constructor }
    local: { command: "echo '{\\"__proto__\\": {\\"polluted\\": true}, \\"constructor\\": {\\"prototype\\": {\\"polluted\\": true}}}' > \\"$STEPGRAPH_RESULT\\"" }
  consume:
    needs: [produce]
    lambda: consume
    local: { command: "printf '%s' {inputs.produce.value} > ${out}/value.txt" }
`);
    const store = new DirectoryMarkerStore(temp());
    const report = await runLocally(compiled, { date: '2019-03-12', store, output: quiet, resultsFolder: temp() }).report;
    expect(report.status, report.error ?? '').toBe('SUCCEEDED');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(readFileSync(join(out, 'value.txt'), 'utf8')).toBe('{"polluted":true}');
    const body = await store.get('stepgraph-proto-markers', 'done/produce__20190312.done');
    expect(body).toContain('"outputs":{"value":{"polluted":true},"ctor":{"prototype":{"polluted":true}}}');
  });
});

describe('stepgraph run --local with a result that is not JSON', () => {
  let out: string[];
  let err: string[];
  beforeEach(() => {
    out = [];
    err = [];
    vi.spyOn(console, 'log').mockImplementation((...args) => void out.push(args.join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...args) => void err.push(args.join(' ')));
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => vi.restoreAllMocks());

  it('exits 3 with the job, the file and the problem in the report, and no stack trace', async () => {
    const dir = temp();
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, `name: bad-result\njobs:\n  produce:\n    lambda: produce\n    outputs: { value: $.Payload.value }\n    local: { command: "echo 'not json' > \\"$STEPGRAPH_RESULT\\"" }\n`);
    const code = await main(['run', file, '--local', '--date', '2019-03-12', '--markers', join(dir, 'markers'), '--json']);
    expect(code).toBe(3);
    const report = JSON.parse(out.join('\n'));
    expect(report.status).toBe('FAILED');
    expect(report.error).toMatch(/job 'produce': its result file .*markers\/\.runs\/bad-result__20190312-.*\/produce\.1\.json is not JSON/);
    expect(err.join('\n')).not.toMatch(/\n\s+at /);
  });
});
