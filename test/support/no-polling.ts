// The reactive contract in one check: an emitted definition never looks for something again and
// again. Polling in ASL takes one of two shapes, and this walker finds both at every level
// (Parallel branches, Map item processors):
// - a loop in the state graph (Wait -> check -> Choice -> Wait, or any other cycle);
// - a Retry that repeats a read until it finds something: a retrier on a "not there yet" error
//   (S3.NoSuchKeyException and the like), or a Task that only reads state (getObject,
//   headObject, describe*, list*) retried more than a few times. A one-time read retried a few
//   times for throttling or eventual consistency (a sweep item's exit status, read once its
//   instance has ended) is not a poll.

interface Machine {
  StartAt: string;
  States: Record<string, Record<string, unknown>>;
}

const NOT_THERE_YET = /NoSuchKey|NotFound|NoSuch|ResourceNotFound/;
const READ_ONLY = /:aws-sdk:[a-z0-9]+:(getObject|headObject|describe[A-Za-z]*|list[A-Za-z]*|get[A-Za-z]*)$/;
/** Retries of a read beyond which it is looking for something rather than riding out an error. */
const FEW = 5;

/** Every polling construct of a definition, described; empty when there is none. */
export function pollingConstructs(definition: Machine, where = ''): string[] {
  const found: string[] = [];
  for (const [name, state] of Object.entries(definition.States)) {
    const at = `${where}${name}`;
    for (const retrier of (state.Retry as { ErrorEquals: string[]; MaxAttempts?: number }[] | undefined) ?? []) {
      if (retrier.ErrorEquals.some((e) => NOT_THERE_YET.test(e))) found.push(`${at}: retries on ${retrier.ErrorEquals.join(', ')} (a read repeated until it finds something)`);
      else if (READ_ONLY.test(String(state.Resource ?? '')) && (retrier.MaxAttempts ?? 3) > FEW) found.push(`${at}: retries a read ${retrier.MaxAttempts} times (${state.Resource})`);
    }
    for (const [i, branch] of ((state.Branches as Machine[] | undefined) ?? []).entries()) found.push(...pollingConstructs(branch, `${at} > branch ${i + 1} > `));
    const processor = (state.ItemProcessor ?? state.Iterator) as Machine | undefined;
    if (processor) found.push(...pollingConstructs(processor, `${at} > item > `));
  }
  const cycle = findCycle(definition);
  if (cycle) found.push(`${where}loop: ${cycle.join(' -> ')}`);
  return found;
}

function successors(state: Record<string, unknown>): string[] {
  const out: string[] = [];
  if (typeof state.Next === 'string') out.push(state.Next);
  if (typeof state.Default === 'string') out.push(state.Default);
  for (const c of (state.Choices as { Next: string }[] | undefined) ?? []) out.push(c.Next);
  for (const c of (state.Catch as { Next: string }[] | undefined) ?? []) out.push(c.Next);
  return out;
}

/** A cycle of states in one scope, or undefined (iterative: definitions have thousands of states). */
function findCycle(machine: Machine): string[] | undefined {
  const done = new Set<string>();
  for (const root of Object.keys(machine.States)) {
    if (done.has(root)) continue;
    const path: string[] = [];
    const onPath = new Set<string>();
    const stack: { name: string; next: string[] }[] = [{ name: root, next: successors(machine.States[root] ?? {}) }];
    path.push(root);
    onPath.add(root);
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const n = top.next.pop();
      if (n === undefined) {
        stack.pop();
        onPath.delete(path.pop()!);
        done.add(top.name);
        continue;
      }
      if (onPath.has(n)) return [...path.slice(path.indexOf(n)), n];
      if (done.has(n) || !(n in machine.States)) continue;
      path.push(n);
      onPath.add(n);
      stack.push({ name: n, next: successors(machine.States[n]) });
    }
  }
  return undefined;
}
