// `npm run kinds`: writes what the kind registry derives into the files people read: the job kinds
// of schema/workflow.schema.json and the kind table of README.md (test/kinds/docs.test.ts fails
// when either is stale).
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { jobKindSchema, kindTable, TABLE_END, TABLE_START } from '../generator/kinds/docs.ts';

/** Written beside, then renamed over: a reader sees the old file or the new one. */
function replaceFile(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

export function schemaWithKinds(text: string): string {
  const schema = JSON.parse(text);
  const job = schema.definitions.job;
  const { oneOf, properties } = jobKindSchema();
  const options = Object.fromEntries(Object.entries(job.properties as Record<string, unknown>).filter(([key]) => !(key in properties)));
  schema.definitions.job = { ...job, oneOf, properties: { ...properties, ...options } };
  return `${JSON.stringify(schema, null, 2)}\n`;
}

export function readmeWithKinds(text: string): string {
  const start = text.indexOf(TABLE_START);
  const end = text.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`README.md has no kind table between '${TABLE_START}' and '${TABLE_END}'`);
  return text.slice(0, start) + kindTable() + text.slice(end + TABLE_END.length);
}

if (process.argv[1]?.endsWith('kinds.ts')) {
  replaceFile('schema/workflow.schema.json', schemaWithKinds(readFileSync('schema/workflow.schema.json', 'utf8')));
  replaceFile('README.md', readmeWithKinds(readFileSync('README.md', 'utf8')));
  console.log('wrote the job kinds of schema/workflow.schema.json and README.md');
}
