// Orders a States object the way a run goes through it (depth first from StartAt, the main
// path before side exits), so a definition reads top to bottom like the workflow. State names
// are job names, so membership is by own key only (a job named `constructor` is no inherited member).
import type { State, States } from './job.ts';

export function orderStates(startAt: string, states: States): States {
  const ordered: States = {};
  const placed = new Set<string>();
  const stack = [startAt];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (placed.has(name) || !Object.hasOwn(states, name)) continue;
    placed.add(name);
    const state = states[name];
    ordered[name] = state.Type === 'Parallel' ? { ...state, Branches: (state.Branches as { StartAt: string; States: States }[]).map((b) => ({ StartAt: b.StartAt, States: orderStates(b.StartAt, b.States) })) } : state;
    // Pushed in reverse so the first successor is visited first.
    stack.push(...successors(state).reverse());
  }
  for (const name of Object.keys(states)) if (!placed.has(name)) ordered[name] = states[name];
  return ordered;
}

function successors(state: State): string[] {
  const out: string[] = [];
  if (typeof state.Next === 'string') out.push(state.Next);
  for (const choice of (state.Choices as { Next: string }[] | undefined) ?? []) out.push(choice.Next);
  if (typeof state.Default === 'string') out.push(state.Default);
  for (const c of (state.Catch as { Next: string }[] | undefined) ?? []) out.push(c.Next);
  return out;
}
