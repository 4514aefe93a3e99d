// `stepgraph init [name]`: a starter workflow in the workflows folder, wired to the JSON Schema
// (editors complete and check it), with `local` commands so `run --local` works at once, and in
// the folder the tests and `cdk synth` already read. It never overwrites a file.
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WORKFLOW_NAME } from '../../check/values.ts';
import { DEFAULT_WORKFLOWS_DIR } from '../../ops/workflows.ts';
import { UserError } from '../../errors.ts';
import { writeFileAtomic } from '../files.ts';
import { printJson } from '../json.ts';

export const usage = 'stepgraph init [name] [--workflows DIR] [--json]   (name: lower-case letters, digits and -, default my-workflow)';

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { workflows: { type: 'string', default: DEFAULT_WORKFLOWS_DIR }, json: { type: 'boolean', default: false } },
  });
  if (positionals.length > 1) throw new UserError(`one name expected, got ${positionals.join(' ')}; usage: ${usage}`);
  const name = positionals[0] ?? 'my-workflow';
  if (!WORKFLOW_NAME.test(name)) throw new UserError(`'${name}' is not a workflow name: use lower-case letters, digits and '-', starting with a letter (e.g. 'nightly-sales')`);
  const file = join(values.workflows, `${name}.yaml`);
  if (existsSync(file)) throw new UserError(`${file} exists already; pick another name (stepgraph init <name>)`);
  writeFileAtomic(file, starter(name, schemaReference(file)));
  if (values.json) {
    printJson({ created: [file], name });
    return 0;
  }
  console.log(`created ${file}`);
  console.log('next:');
  console.log(`  npx stepgraph validate ${file}`);
  console.log(`  npx stepgraph simulate ${name} --html report.html   # the timeline, on a virtual clock`);
  console.log(`  npx stepgraph run ${name} --local                  # its local commands, for real`);
  console.log(`  npx stepgraph graph ${name} --format svg > ${name}.svg`);
  console.log(`  npx cdk synth stepgraph-${name}                     # its stack, offline`);
  return 0;
}

/** The schema this package ships, as the file's yaml-language-server comment should name it. */
function schemaReference(file: string): string {
  const schema = resolve(packageRoot(), 'schema', 'workflow.schema.json');
  return relative(dirname(resolve(file)), schema).split(sep).join('/');
}

/** generator/cli/commands/ in a checkout, dist/<build>/ once bundled: the folder holding package.json above. */
function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

const starter = (name: string, schema: string): string => `# yaml-language-server: $schema=${schema}
# A starter workflow: extract and load run in parallel, report needs both. Each job has a local
# command for \`stepgraph run --local\`; replace the kinds (lambda, data_pipeline, state_machine,
# task) with your own. The README's "The language by example" lists every key.
name: ${name}
partition: daily                # runs take {"date": "YYYY-MM-DD"}
defaults:
  timeout: 30m
  retry: { attempts: 1, interval: 1m }
jobs:
  extract:
    lambda: ${name}-extract
    estimate: 10m
    local: { command: "echo extracting {date}" }
  load:
    lambda: ${name}-load
    estimate: 5m
    local: { command: "echo loading {date}" }
  report:
    needs: [extract, load]
    lambda: ${name}-report
    estimate: 2m
    local: { command: "echo report for {date} ready" }
`;
