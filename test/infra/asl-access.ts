// What a compiled definition touches, read from the ASL itself (independently of the manifest
// that infra grants from): the (action, resource) pairs its S3, Lambda and child-machine Tasks need.
import { allStates } from '../../infra/asl-walk.ts';

export interface Refs {
  /** How the marker bucket appears in a flattened ARN: its name, or `<LogicalId>` when created. */
  bucket: string;
  /** How the activator's ARN appears: `<LogicalId.Arn>`. */
  activator?: string;
  /** Child machines of a split graph: `${Part<n>Arn}` -> the machine's name. */
  parts?: Record<string, string>;
}

const S3_ACTIONS: Record<string, string> = { getObject: 's3:GetObject', putObject: 's3:PutObject', deleteObject: 's3:DeleteObject' };

export function aslAccess(definitions: readonly { definition: unknown }[], refs: Refs): Set<string> {
  const pairs = new Set<string>();
  for (const { definition } of definitions) {
    for (const [, state] of allStates(definition)) {
      if (state.Type !== 'Task') continue;
      const resource = String(state.Resource);
      const p = (state.Parameters ?? {}) as Record<string, string>;
      const s3 = /^arn:aws:states:::aws-sdk:s3:(\w+)$/.exec(resource);
      if (s3) {
        const bucket = p.Bucket === '${MarkerBucket}' ? refs.bucket : p.Bucket;
        pairs.add(`${S3_ACTIONS[s3[1]]} arn:<AWS::Partition>:s3:::${bucket}/${keyPattern(p['Key.$'] ?? p.Key)}`);
        if (s3[1] === 'getObject') pairs.add(`s3:ListBucket arn:<AWS::Partition>:s3:::${bucket}`);
      } else if (resource === 'arn:aws:states:::lambda:invoke') {
        const fn = p.FunctionName;
        const arn = fn === '${ActivatorFunctionArn}' ? refs.activator : fn.startsWith('arn:') ? fn : `arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:${fn}`;
        pairs.add(`lambda:InvokeFunction ${arn}`);
      } else if (resource.startsWith('arn:aws:states:::states:startExecution')) {
        const part = /^\$\{(\w+)\}$/.exec(p.StateMachineArn)?.[1];
        const name = part ? refs.parts?.[part] : undefined;
        pairs.add(`states:StartExecution ${name ? `arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:stateMachine:${name}` : p.StateMachineArn}`);
      }
    }
  }
  return pairs;
}

/** `States.Format('done/x__{}.done', $.run.datekey)` -> `done/x__*.done`; a plain key as is. */
function keyPattern(key: string): string {
  const m = /^States\.Format\('((?:[^'\\]|\\.)*)'/.exec(key);
  if (!m) return key;
  return m[1].replace(/\\(.)|\{\}/g, (all, escaped: string | undefined) => (escaped !== undefined ? escaped : '*'));
}
