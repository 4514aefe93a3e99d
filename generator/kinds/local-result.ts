// Where a local command's result sits in a kind's AWS answer (kind.ts: `local.result`). In
// `run --local` a job's command may write its result as JSON to the file STEPGRAPH_RESULT names;
// that result stands for what the service would return, so the job's `outputs` paths, written
// against the AWS result, read it where AWS would put it.

/** The result is one field of the answer: a Lambda's return value is its `Payload`. */
export const resultAt =
  (field: string) =>
  (value: unknown, answer: unknown): unknown => {
    const out: Record<string, unknown> = { ...(answer as object) };
    // Defined, not assigned: whatever the field is called, it is a key like any other.
    Object.defineProperty(out, field, { value, enumerable: true, writable: true, configurable: true });
    return out;
  };

/**
 * The result is the service's answer itself (a Glue JobRun, a Batch job, the escape hatch's
 * response): a JSON object's fields are laid over the simulated answer (the fields a service
 * always returns stay there); any other value is the whole answer.
 */
export function resultOver(value: unknown, answer: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  // Object spread defines each key (a `__proto__` of the JSON stays an own key, no prototype changes).
  return { ...(answer as object), ...value };
}
