// Finds states in an ASL definition, through Parallel branches and Map processors.

type State = Record<string, unknown>;
interface Machine {
  States?: Record<string, State>;
}

export function findState(definition: unknown, name: string): State | undefined {
  for (const [stateName, state] of allStates(definition)) if (stateName === name) return state;
  return undefined;
}

export function* allStates(machine: unknown): Generator<[string, State]> {
  for (const [name, state] of Object.entries((machine as Machine)?.States ?? {})) {
    yield [name, state];
    for (const branch of (state.Branches as unknown[] | undefined) ?? []) yield* allStates(branch);
    for (const key of ['ItemProcessor', 'Iterator']) if (state[key]) yield* allStates(state[key]);
  }
}
