// Builders for the sweep tests: compile a sweep written inline (YAML or JSON text, or an object).
import { formatDiagnostic } from '../../generator/diagnostics.ts';
import { compileSweepText, type CompiledSweep, type SweepCompileResult } from '../../generator/sweep/compile.ts';
import type { SweepOverrides } from '../../generator/sweep/check.ts';

export function compile(sweep: string | object, overrides: SweepOverrides = {}, file = 'sweep.yaml'): SweepCompileResult {
  const text = typeof sweep === 'string' ? sweep : JSON.stringify(sweep, null, 2);
  return compileSweepText(typeof sweep === 'string' ? file : file.replace(/\.ya?ml$/, '.json'), text, overrides);
}

/** Compiles and fails the test with the printed diagnostics when there is an error. */
export function compiled(sweep: string | object, overrides: SweepOverrides = {}): CompiledSweep {
  const result = compile(sweep, overrides);
  if (!result.compiled) throw new Error(`expected the sweep to compile:\n${printed(result)}`);
  return result.compiled;
}

export const printed = (result: SweepCompileResult): string => result.diagnostics.map((d) => formatDiagnostic(d, () => result.lines)).join('\n');

export const codes = (result: SweepCompileResult): string[] => result.diagnostics.map((d) => `${d.severity} ${d.code}`);

/** A small EC2 sweep: n items over `defaults`, with extra top-level settings. */
export const ec2Sweep = (n: number, settings: object = {}, defaults: object = {}): object => ({
  name: 'demo',
  ...settings,
  defaults: { instance_type: 't3.micro', ttl: '10m', iam_role: 'worker', command: 'run --x {x}', ...defaults },
  params: Array.from({ length: n }, (_, i) => ({ x: i })),
});
