// `data_pipeline: <name>` or `{ name, parameters }`: AWS Data Pipeline, activated by name with
// date parameters, done when the pipeline writes the job's `.done` marker. Closed to new
// customers since 2024-07: only accounts that already use it can run these jobs.
//
// The job's Task is a callback to the activator: it clears the old marker, registers the Task's
// token for the new one and activates the pipeline; the pipeline's marker, through the router,
// releases the Task (contract/waits.ts).
import { Codes } from '../messages.ts';
import { ownMap } from '../check/data.ts';
import { pipelineNameProblem, report, templateProblem } from '../check/values.ts';
import type { Partition } from '../model.ts';
import { ACTIVATOR_FUNCTION, callbackWait, markerSubject } from '../emit/waits.ts';
import type { KindModule, State } from './kind.ts';

export interface DataPipelineKind {
  type: 'data_pipeline';
  pipeline: string;
  parameters: Record<string, string>;
}

/** The seed pipelines took year, month, dayofmonth (and hour) parameters: that is the default. */
const defaultPipelineParameters = (partition: Partition): Record<string, string> => ({
  myYear: '{yyyy}',
  myMonth: '{mm}',
  myDayOfMonth: '{dd}',
  ...(partition === 'hourly' && { myHour: '{hh}' }),
});

/** Said with every problem of a data_pipeline job: a new account cannot use the service at all. */
const CLOSED = 'AWS Data Pipeline is closed to new customers (since 2024-07); a new workflow runs this work as glue, batch, ecs or emr_serverless';

export const dataPipeline: KindModule<DataPipelineKind> = {
  type: 'data_pipeline',
  doc: {
    spelling: 'data_pipeline: <name>` or `{ name, parameters }',
    runs: 'an AWS Data Pipeline, activated by name with date parameters (closed to new customers since 2024-07)',
    done: 'when the pipeline writes the job\'s `.done` marker',
  },
  schema: {
    description: 'AWS Data Pipeline activated by name with date parameters; done when it writes its .done marker. Closed to new customers since 2024-07.',
    oneOf: [
      { type: 'string' },
      {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: {
          name: { type: 'string' },
          parameters: { description: 'Parameter values with {yyyy} {mm} {dd} {hh} {date} {datekey} templates.', type: 'object', additionalProperties: { type: ['string', 'number'] } },
        },
      },
    ],
  },
  read(r, entry, { partition }) {
    if (!r.isMap(entry)) {
      const name = r.string(entry);
      return name === undefined ? undefined : { type: 'data_pipeline', pipeline: name, parameters: defaultPipelineParameters(partition) };
    }
    const fields = r.fields(entry.value, "'data_pipeline'", ['name', 'parameters'], ['name']);
    if (!fields) return undefined;
    const nameEntry = fields.get('name');
    const name = r.string(nameEntry);
    const problem = name === undefined ? undefined : pipelineNameProblem(name);
    if (name === undefined || !report(r, nameEntry!.span, Codes.wrongType, problem && { message: problem.message, hint: CLOSED })) return undefined;
    const parametersEntry = fields.get('parameters');
    if (!parametersEntry) return { type: 'data_pipeline', pipeline: name, parameters: defaultPipelineParameters(partition) };
    if (!r.map(parametersEntry)) return undefined;
    const parameters = ownMap<string>();
    let ok = true;
    for (const p of r.entries(parametersEntry.value)) {
      const value = r.scalar(p.value);
      if (typeof value !== 'string' && typeof value !== 'number') {
        r.error(p.span, Codes.wrongType, `pipeline parameter '${p.key}' must be a string such as '{yyyy}'`, CLOSED);
        ok = false;
        continue;
      }
      const problem = templateProblem(String(value), partition === 'hourly');
      ok = report(r, p.span, Codes.badTemplate, problem && { message: problem.message, hint: `${problem.hint ?? ''}. ${CLOSED}` }) && ok;
      parameters[p.key] = String(value);
    }
    return ok ? { type: 'data_pipeline', pipeline: name, parameters } : undefined;
  },
  task(kind, ctx) {
    const wait = callbackWait(ctx.job, markerSubject(ctx.bucket, ctx.markerPrefix, ctx.job), { seconds: ctx.timeoutSeconds });
    const payload: State = {
      workflow: ctx.workflow,
      job: ctx.job,
      'date.$': '$.date',
      'execution.$': '$$.Execution.Id',
      pipeline: kind.pipeline,
      parameters: kind.parameters,
      wait: (wait.Parameters as { Payload: State }).Payload,
    };
    return { Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken', Parameters: { FunctionName: ACTIVATOR_FUNCTION, Payload: payload } };
  },
  access: (_kind, { job, markerPrefix }) => ({
    grants: [],
    activatorGrants: [
      {
        actions: ['datapipeline:ListPipelines', 'datapipeline:ActivatePipeline'],
        resources: ['*'],
        wildcardReason:
          "Data Pipeline has no resource ARNs by name: ListPipelines takes no resource, and a pipeline's id (the only identifier IAM sees) is looked up from its name at run time and changes when the pipeline is re-created.",
      },
      {
        actions: ['s3:DeleteObject', 's3:GetObject'],
        resources: [`arn:\${Partition}:s3:::\${MarkerBucket}/${markerPrefix}${job}__*.done`],
        wildcardReason: "A data pipeline's marker key ends in the run date; the wildcard stands for the datekey of one data_pipeline job only.",
      },
      // Without ListBucket, S3 answers 403 instead of 404 for a marker that is not there yet.
      { actions: ['s3:ListBucket'], resources: ['arn:${Partition}:s3:::${MarkerBucket}'] },
    ],
  }),
  local: { mode: 'activation' },
  writesOwnMarker: true,
};
