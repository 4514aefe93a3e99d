// Every state of an ASL definition, through Parallel branches and Map processors.

type State = Record<string, unknown>;
interface Machine {
  States?: Record<string, State>;
}

export function* allStates(machine: unknown): Generator<[string, State]> {
  for (const [name, state] of Object.entries((machine as Machine)?.States ?? {})) {
    yield [name, state];
    for (const branch of (state.Branches as unknown[] | undefined) ?? []) yield* allStates(branch);
    for (const key of ['ItemProcessor', 'Iterator']) if (state[key]) yield* allStates(state[key]);
  }
}

/**
 * The Distributed Maps of a definition: the state (a sweep's, or its job's, name), its Label, and
 * whether its items wait (their child executions then invoke the router, and run as
 * `<machine>/<label>`).
 */
export function distributedMaps(definition: unknown): { state: string; label: string; waits: boolean }[] {
  return [...allStates(definition)]
    .filter(([, s]) => s.Type === 'Map' && (s.ItemProcessor as { ProcessorConfig?: { Mode?: string } } | undefined)?.ProcessorConfig?.Mode === 'DISTRIBUTED')
    .map(([state, s]) => ({ state, label: String(s.Label), waits: JSON.stringify(s.ItemProcessor).includes('${RouterFunctionArn}') }));
}
