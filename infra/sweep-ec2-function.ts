// The function a multi-region sweep makes its EC2 calls through (handlers/sweep-ec2.ts): Step
// Functions calls AWS in its own region only. It holds the EC2 grants the state machine would
// otherwise hold, in each of the sweeps' regions, and refuses any other region.
import type { Construct } from 'constructs';
import { HandlerFunction } from './handler-function.ts';
import { ec2Grants, type Ec2Use } from './sweep-ec2-access.ts';

export function sweepEc2Function(scope: Construct, id: string, owner: string, uses: readonly Ec2Use[]): HandlerFunction {
  const regions = [...new Set(uses.flatMap((u) => u.ec2.regions))].sort();
  return new HandlerFunction(scope, id, {
    entry: 'sweep-ec2.ts',
    description: `stepgraph ${owner}: EC2 calls of sweep items in ${regions.join(', ')}`,
    environment: { REGIONS: regions.join(',') },
    grants: ec2Grants(uses),
  });
}
