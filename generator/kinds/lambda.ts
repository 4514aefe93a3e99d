// `lambda: <function name or ARN>`: invokes the function with the run's date and params (and the
// job's own params) and is done when it returns. Lambda runs a function for at most 15 minutes.
import { Codes } from '../messages.ts';
import { lambdaProblem, report } from '../check/values.ts';
import type { KindModule, State } from './kind.ts';
import { resultAt } from './local-result.ts';

export interface LambdaKind {
  type: 'lambda';
  function: string;
}

const INVOKE = 'arn:aws:states:::lambda:invoke';

/** A function given by name is one of the stack's account and region. */
export const functionArn = (nameOrArn: string): string =>
  nameOrArn.startsWith('arn:') ? nameOrArn : `arn:\${Partition}:lambda:\${Region}:\${Account}:function:${nameOrArn}`;

export const lambda: KindModule<LambdaKind> = {
  type: 'lambda',
  doc: { spelling: 'lambda: <function>', runs: 'a Lambda function (name or ARN), with the run\'s date and params', done: 'when the function returns (at most 15 minutes)' },
  schema: { description: "Function name or ARN; payload: the run's params plus the job's params.", type: 'string' },
  read(r, entry) {
    const fn = r.string(entry);
    return fn !== undefined && report(r, entry.span, Codes.badArn, lambdaProblem(fn)) ? { type: 'lambda', function: fn } : undefined;
  },
  task(kind, ctx) {
    const payload: State = {
      workflow: ctx.workflow,
      job: ctx.job,
      'date.$': '$.date',
      'execution.$': '$$.Execution.Id',
      'params.$': '$.params',
      ...(Object.keys(ctx.params).length > 0 && { jobParams: ctx.params }),
      // Upstream outputs by job (inputs.<job>.<name>) and, in a for_each job, its element.
      ...(ctx.inputs && { 'inputs.$': '$.outputs' }),
      ...(ctx.item && { 'item.$': '$.item', 'index.$': '$.index' }),
    };
    return { Resource: INVOKE, Parameters: { FunctionName: kind.function, Payload: payload } };
  },
  access: (kind) => ({ grants: [{ actions: ['lambda:InvokeFunction'], resources: [functionArn(kind.function)] }] }),
  local: { mode: 'work', output: (_kind, job) => ({ StatusCode: 200, Payload: { job } }), result: resultAt('Payload') },
  maxRun: { seconds: 900, what: 'a Lambda function runs' },
  sweepRunner: (kind, item) => ({ Resource: INVOKE, Parameters: { FunctionName: kind.function, Payload: item } }),
};
