// What a compiled definition touches, read from the ASL itself (independently of the manifest
// that infra grants from): the (action, resource) pairs its S3, Lambda and child-machine Tasks
// need, and a Distributed Map's items, results and child executions.
import { allStates } from '../../generator/emit/asl-walk.ts';

function findState(definition: unknown, name: string): Record<string, unknown> | undefined {
  for (const [stateName, state] of allStates(definition)) if (stateName === name) return state;
  return undefined;
}

export interface Refs {
  /** How the marker bucket appears in a flattened ARN: its name, or `<LogicalId>` when created. */
  bucket: string;
  /** How the activator's ARN appears: `<LogicalId.Arn>`. */
  activator?: string;
  /** How the router's ARN appears: `<LogicalId.Arn>`. */
  router?: string;
  /** Child machines of a split graph: `${Part<n>Arn}` -> the machine's name. */
  parts?: Record<string, string>;
  /** How the cross-region EC2 function's ARN appears: `<LogicalId.Arn>`. */
  sweepEc2?: string;
  /** How the deadline watch function's ARN appears: `<LogicalId.Arn>`. */
  deadline?: string;
}

const S3_ACTIONS: Record<string, string> = { getObject: 's3:GetObject', putObject: 's3:PutObject', deleteObject: 's3:DeleteObject' };

const ARN = 'arn:<AWS::Partition>';
const bucketOf = (name: string, refs: Refs): string => (name === '${MarkerBucket}' ? refs.bucket : name);

/** `name`: the deployed state machine's name (a Distributed Map starts executions of it). */
export function aslAccess(definitions: readonly { definition: unknown; name?: string }[], refs: Refs): Set<string> {
  const pairs = new Set<string>();
  for (const { definition, name } of definitions) {
    for (const [stateName, state] of allStates(definition)) {
      if (state.Type === 'Map' && state.ItemReader) {
        distributedMap(definition, stateName, state, name, refs).forEach((p) => pairs.add(p));
        continue;
      }
      // A for_each's Distributed Map reads its items from the state: it only starts executions of its machine.
      if (state.Type === 'Map' && (state.ItemProcessor as { ProcessorConfig?: { Mode?: string } }).ProcessorConfig?.Mode === 'DISTRIBUTED') {
        pairs.add(`states:StartExecution ${ARN}:states:<AWS::Region>:<AWS::AccountId>:stateMachine:${name}`);
      }
      if (state.Type !== 'Task') continue;
      const resource = String(state.Resource);
      const p = (state.Parameters ?? {}) as Record<string, string>;
      const s3 = /^arn:aws:states:::aws-sdk:s3:(\w+)$/.exec(resource);
      if (s3) {
        const bucket = p.Bucket === '${MarkerBucket}' ? refs.bucket : p.Bucket;
        pairs.add(`${S3_ACTIONS[s3[1]]} arn:<AWS::Partition>:s3:::${bucket}/${keyPattern(p['Key.$'] ?? p.Key)}`);
        if (s3[1] === 'getObject') pairs.add(`s3:ListBucket arn:<AWS::Partition>:s3:::${bucket}`);
      } else if (resource === 'arn:aws:states:::lambda:invoke' || resource === 'arn:aws:states:::lambda:invoke.waitForTaskToken') {
        const fn = p.FunctionName;
        const placeholders: Record<string, string | undefined> = { '${ActivatorFunctionArn}': refs.activator, '${RouterFunctionArn}': refs.router, '${SweepEc2FunctionArn}': refs.sweepEc2, '${DeadlineFunctionArn}': refs.deadline };
        const arn = fn in placeholders ? placeholders[fn] : fn.startsWith('arn:') ? fn : `arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:${fn}`;
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

/**
 * A Distributed Map: it starts executions of its own machine and reads its items file, whose key
 * the settings hold (`<map> settings` in a graph, `Default settings` in a sweep's own machine), and
 * its ResultWriter writes under the results prefix.
 */
function distributedMap(definition: unknown, mapName: string, map: Record<string, unknown>, machine: string | undefined, refs: Refs): string[] {
  const reader = map.ItemReader as { Parameters: Record<string, string> };
  const settings = (findState(definition, `${mapName} settings`)?.Result as { settings?: Record<string, unknown> } | undefined)?.settings ?? (findState(definition, 'Default settings')?.Result as Record<string, unknown> | undefined);
  const key = reader.Parameters.Key ?? String(settings?.itemsKey);
  const writer = (map.ResultWriter as { Parameters: Record<string, string> }).Parameters;
  const results = `${ARN}:s3:::${bucketOf(writer.Bucket, refs)}/${writer.Prefix}/*`;
  return [
    `states:StartExecution ${ARN}:states:<AWS::Region>:<AWS::AccountId>:stateMachine:${machine}`,
    `s3:GetObject ${ARN}:s3:::${bucketOf(reader.Parameters.Bucket, refs)}/${key}`,
    ...['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'].map((a) => `${a} ${results}`),
  ];
}

/** `States.Format('done/x__{}.done', $.run.datekey)` -> `done/x__*.done`; a plain key as is. */
function keyPattern(key: string): string {
  const m = /^States\.Format\('((?:[^'\\]|\\.)*)'/.exec(key);
  if (!m) return key;
  return m[1].replace(/\\(.)|\{\}/g, (all, escaped: string | undefined) => (escaped !== undefined ? escaped : '*'));
}
