// In-run synchronisation keys (docs/architecture.md, "runtime contract"): a job of a run is
// signalled under `run://<execution name>/<job>`, so a signal of an earlier run (a replay's
// original, say) never releases a wait of a later one.

/** The waiter-store key of job `job`'s signal in the run (execution name) `run`. */
export const signalKey = (run: string, job: string): string => `run://${run}/${job}`;
