// The local engine (aws-local-stepfunctions) has no Distributed Map: it runs any Map inline and
// ignores ToleratedFailureCount/Percentage, so the first failed item would fail a distributed
// for_each job whatever it tolerates. As for a distributed sweep (sweep/local.ts), the local run
// takes the inline form of the same Map: the item Task is the same, its failures caught and
// counted after the Map by the inline form's own states (emit/for-each-tolerance.ts), failing the
// job in `J failed` past the tolerance, and its `J any item succeeded?` reads the tally, as inline
// (a caught item leaves a record of its own, so a first record proves nothing here). The output
// lists are then what AWS gives (as far as emulators show it: a failed child contributes nothing):
// the succeeded items' values, in item order, empty when none succeeded. Without tolerated
// failures the Map runs as emitted (a failed item fails it in place, as a Map Run past its
// tolerance does).
import type { Definition } from '../emit/asl.ts';
import type { State, States } from '../emit/job.ts';
import { catchItem, tallyChain, tallySelector, toleranceNames } from '../emit/for-each-tolerance.ts';
import { isDistributedMap } from '../emit/for-each-distributed.ts';
import { anySucceededChoice, gatherNames } from '../emit/for-each-gather.ts';
import type { Job, Workflow } from '../model.ts';

/** The definition with each distributed for_each Map that tolerates failures in its inline form; the same object when there is none. */
export function localForm(workflow: Workflow, definition: Definition): Definition {
  const text = JSON.stringify(definition);
  if (!text.includes('"DISTRIBUTED"')) return definition;
  const jobs = new Map(workflow.jobs.filter((j) => j.forEach?.toleratedFailures).map((j) => [j.name, j]));
  const copy = JSON.parse(text) as Definition;
  rewrite(copy.States as States, jobs);
  return copy;
}

function rewrite(states: States, jobs: ReadonlyMap<string, Job>): void {
  for (const name of Object.keys(states)) {
    const state = states[name];
    for (const branch of (state.Branches as { States: States }[] | undefined) ?? []) rewrite(branch.States, jobs);
    const job = jobs.get(name);
    if (!job || state.Type !== 'Map' || !isDistributedMap(state)) continue;
    const processor = state.ItemProcessor as { StartAt: string; States: States };
    const { ToleratedFailureCount: _count, ToleratedFailurePercentage: _percent, Label: _label, ...map } = state;
    const next = map.Next as string;
    states[name] = {
      ...map,
      ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: processor.StartAt, States: catchItem(job, processor.StartAt, processor.States[processor.StartAt]) },
      ResultSelector: { ...(map.ResultSelector as State), tally: tallySelector(job) },
    };
    // The gathering Choice reads the tally, as inline (a caught item leaves a record of its own).
    const any = gatherNames(job.name).any;
    if (states[any]) states[any] = anySucceededChoice(job, 'inline');
    const first = tallyChain(job, states);
    if (!first) continue;
    states[first[0]] = first[1];
    states[name] = { ...states[name], Next: first[0] };
    const within = toleranceNames(job.name).within;
    states[within] = { ...states[within], Default: next };
  }
}
