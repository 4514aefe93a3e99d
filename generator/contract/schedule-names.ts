// The name of a workflow's EventBridge Scheduler schedule (in the account's default group): the
// stack gives it, `stepgraph schedule` and the start handler look it up by it. Workflow names are
// at most 40 characters, so the name stays within Scheduler's 64.
export const SCHEDULE_GROUP = 'default';

export const scheduleName = (workflow: string): string => `stepgraph-${workflow}`;
