// `athena: { query, workgroup, output, database, catalog }`: runs an Athena query to completion
// (startQueryExecution.sync) in a workgroup ('primary' unless given), the query text and the
// output location with date templates; done when the query succeeds.
//
// What it touches follows Step Functions' policy for athena:startQueryExecution.sync, narrowed to
// what the job names: the workgroup, the data catalog, the output location (and the bucket-level
// calls Athena makes on its bucket) and, with a database, catalog reads on it. Which tables the SQL
// reads stepgraph cannot know, so read access to their data is left to the user, with a synth
// warning that says so.
import { Codes } from '../messages.ts';
import type { Entry, Reader } from '../check/reader.ts';
import { bucketProblem, report, type Problem } from '../check/values.ts';
import type { KindAccess, KindGrant, KindModule, ReadContext, State } from './kind.ts';
import { readTemplated, renderTemplated } from './templates.ts';
import { resultOver } from './local-result.ts';

export interface AthenaKind {
  type: 'athena';
  query: string;
  workgroup: string;
  /** s3://bucket/prefix/ for the results, with date templates; absent: the workgroup's own. */
  output?: string;
  database?: string;
  catalog?: string;
}

const START_SYNC = 'arn:aws:states:::athena:startQueryExecution.sync';
const FIELDS = ['query', 'workgroup', 'output', 'database', 'catalog'];
/** Athena's default catalog: the Glue Data Catalog of the account. */
const GLUE_CATALOG = 'AwsDataCatalog';
const QUERY_MAX = 262144;

const regional = (service: string, resource: string): string => `arn:\${Partition}:${service}:\${Region}:\${Account}:${resource}`;

/** Athena's workgroup names: 1-128 letters, digits, '.', '_' and '-'. */
function workgroupProblem(name: string): Problem | undefined {
  return /^[A-Za-z0-9._-]{1,128}$/.test(name) ? undefined : { message: `'${name}' is not a valid Athena workgroup name`, hint: "workgroup names are 1-128 letters, digits, '.', '_' and '-'" };
}

/** Athena's data catalog names: up to 127 letters, digits, '_', '@' and '-'. */
function catalogProblem(name: string): Problem | undefined {
  return /^[A-Za-z0-9_@-]{1,127}$/.test(name) ? undefined : { message: `'${name}' is not a valid Athena data catalog name`, hint: "catalog names are 1-127 letters, digits, '_', '@' and '-'" };
}

/** Glue database names as Athena reads them: 1-255 letters, digits, '_' and '-'. */
function databaseProblem(name: string): Problem | undefined {
  return /^[A-Za-z0-9_-]{1,255}$/.test(name) ? undefined : { message: `'${name}' is not a valid database name`, hint: "database names are 1-255 letters, digits, '_' and '-'" };
}

/**
 * `s3://bucket/prefix/`: the bucket is a plain name (templates only in the key, so the grant can
 * name the bucket); no '*', '?' or '$', which would be wildcards or policy variables in the grant.
 */
function outputProblem(location: string): Problem | undefined {
  const m = /^s3:\/\/([^/]*)(\/.*)?$/.exec(location);
  if (!m) return { message: `'${location}' is not an S3 location`, hint: "write the results' location as 's3://bucket/prefix/'" };
  const bucket = bucketProblem(m[1]);
  if (bucket || m[1].startsWith('$')) return { message: `'${location}' does not name a valid S3 bucket`, hint: bucket?.hint ?? "bucket names are 3-63 characters of lower-case letters, digits, '.' and '-'" };
  if (/[*?$]/.test(location)) return { message: `S3 location '${location}' contains '*', '?' or '$'`, hint: 'stepgraph grants access to this location, where these would match other keys; drop them' };
  return undefined;
}

/** The bucket and the key prefix up to the first template (what every run's results start with). */
function outputScope(location: string): { bucket: string; prefix: string } {
  const [, bucket, key = ''] = /^s3:\/\/([^/]*)\/?(.*)$/.exec(location)!;
  const brace = key.indexOf('{');
  return { bucket, prefix: brace < 0 ? key : key.slice(0, brace) };
}

function readName(r: Reader, entry: Entry | undefined, problem: (name: string) => Problem | undefined): string | undefined | null {
  if (!entry) return undefined;
  const name = r.string(entry);
  return name !== undefined && report(r, entry.span, Codes.badArn, problem(name)) ? name : null;
}

function athenaAccess(kind: AthenaKind, job: string): KindAccess {
  const catalog = kind.catalog ?? GLUE_CATALOG;
  const grants: KindGrant[] = [
    { actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:StopQueryExecution'], resources: [regional('athena', `workgroup/${kind.workgroup}`)] },
    { actions: ['athena:GetDataCatalog'], resources: [regional('athena', `datacatalog/${catalog}`)] },
  ];
  if (kind.output !== undefined) {
    const { bucket, prefix } = outputScope(kind.output);
    grants.push(
      { actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'], resources: [`arn:\${Partition}:s3:::${bucket}`] },
      {
        actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        resources: [`arn:\${Partition}:s3:::${bucket}/${prefix}*`],
        wildcardReason: `Athena names each query's result files by the query's id at run time; the grant covers only keys under the output location of job '${job}'.`,
      },
    );
  }
  if (kind.database !== undefined && catalog === GLUE_CATALOG) {
    grants.push({
      actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition'],
      resources: [regional('glue', 'catalog'), regional('glue', `database/${kind.database}`), regional('glue', `table/${kind.database}/*`)],
      wildcardReason: `The query of job '${job}' may read any table of its database '${kind.database}'; the grant covers catalog reads of that database only.`,
    });
  }
  const also = [
    ...(kind.output === undefined ? [`write access to the output location of workgroup '${kind.workgroup}'`] : []),
    ...(kind.database === undefined && catalog === GLUE_CATALOG ? ['catalog reads of the databases it names'] : []),
    // A federated catalog runs a connector (a Lambda function) stepgraph is not told of.
    ...(catalog !== GLUE_CATALOG ? [`what catalog '${catalog}' needs to be read (its connector)`] : []),
  ];
  const warning =
    `job '${job}': stepgraph cannot tell which tables the Athena query reads: grant the stack's role read access to their data in S3 ` +
    `(and lakeformation:GetDataAccess for tables Lake Formation governs)${also.length > 0 ? `, and ${also.join(' and ')}` : ''}`;
  return { grants, warning };
}

export const athena: KindModule<AthenaKind> = {
  type: 'athena',
  doc: {
    spelling: 'athena: { query, workgroup, output, database, catalog }',
    runs: "an Athena query (date templates in the query and the output location) in a workgroup, 'primary' unless given",
    done: 'when the query succeeds (startQueryExecution.sync)',
  },
  schema: {
    description: "Athena query run to completion (startQueryExecution.sync). The role can read the query's source data only if you grant it: a synth warning says so.",
    type: 'object',
    additionalProperties: false,
    required: ['query'],
    properties: {
      query: { description: 'SQL with {yyyy} {mm} {dd} {hh} {date} {datekey} templates.', type: 'string', minLength: 1 },
      workgroup: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,128}$', default: 'primary' },
      output: { description: "Where the results go: 's3://bucket/prefix/', templates allowed in the prefix.", type: 'string', pattern: '^s3://' },
      database: { type: 'string' },
      catalog: { type: 'string', default: GLUE_CATALOG },
    },
  },
  read(r, entry, ctx: ReadContext) {
    const fields = r.fields(r.map(entry) ?? null, "'athena'", FIELDS, ['query']);
    if (!fields) return undefined;
    const queryEntry = fields.get('query');
    let query = readTemplated(r, queryEntry, ctx);
    if (query !== undefined && query.length > QUERY_MAX) {
      r.error(queryEntry!.span, Codes.overLimit, `the query is ${query.length} characters; Athena takes at most ${QUERY_MAX}`);
      query = undefined;
    }
    const workgroup = readName(r, fields.get('workgroup'), workgroupProblem);
    const database = readName(r, fields.get('database'), databaseProblem);
    const catalog = readName(r, fields.get('catalog'), catalogProblem);
    const outputEntry = fields.get('output');
    let output = readTemplated(r, outputEntry, ctx);
    if (output !== undefined && !report(r, outputEntry!.span, Codes.badBucket, outputProblem(output))) output = undefined;
    if (query === undefined || workgroup === null || database === null || catalog === null || (outputEntry && output === undefined)) return undefined;
    return {
      type: 'athena',
      query,
      workgroup: workgroup ?? 'primary',
      ...(output !== undefined && { output }),
      ...(database !== undefined && { database }),
      ...(catalog !== undefined && { catalog }),
    };
  },
  task(kind) {
    const [queryKey, queryValue] = renderTemplated('QueryString', kind.query);
    const context = { ...(kind.database !== undefined && { Database: kind.database }), ...(kind.catalog !== undefined && { Catalog: kind.catalog }) };
    const parameters: State = {
      [queryKey]: queryValue,
      WorkGroup: kind.workgroup,
      ...(Object.keys(context).length > 0 && { QueryExecutionContext: context }),
      ...(kind.output !== undefined && { ResultConfiguration: Object.fromEntries([renderTemplated('OutputLocation', kind.output)]) }),
    };
    return { Resource: START_SYNC, Parameters: parameters };
  },
  access: (kind, { job }) => athenaAccess(kind, job),
  // GetQueryExecution's answer, as the .sync Task returns it.
  local: {
    mode: 'work',
    output: (kind) => ({
      QueryExecution: {
        QueryExecutionId: 'local-query',
        Query: kind.query,
        WorkGroup: kind.workgroup,
        Status: { State: 'SUCCEEDED' },
        ...(kind.output !== undefined && { ResultConfiguration: { OutputLocation: kind.output } }),
      },
    }),
    result: resultOver,
  },
};
