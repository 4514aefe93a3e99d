// --json output: one JSON document on stdout, two-space indented, for scripts.
export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}
