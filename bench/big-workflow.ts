// The 100,000-job workflow of the resource bounds (bench/bounds.ts), also read by tests at a smaller size.
/**
 * A layered graph: jobs in layers of 100, each needing one or two jobs of the layer before (seeded).
 * It is a valid workflow without warnings, as a real one would be: work estimated past Lambda's 15
 * minutes is a Glue job (as a Lambda, 70,000 jobs would each print warning SG4005).
 */
export function bigWorkflow(n: number, seed = 12345): string {
  let s = seed;
  const rand = (): number => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648;
  const width = 100;
  const out = ['name: bounds-big', 'jobs:'];
  for (let i = 0; i < n; i++) {
    const minutes = 1 + (i % 50);
    out.push(`  j${i}:`, minutes <= 15 ? `    lambda: fn-${i % 7}` : `    glue: etl-${i % 7}`, `    estimate: ${minutes}m`);
    if (i < width) continue;
    const layer = Math.floor(i / width) * width;
    const needs = new Set([i - width, layer - 1 - Math.floor(rand() * width)]);
    out.push(`    needs: [${[...needs].map((k) => `j${k}`).join(', ')}]`);
  }
  return `${out.join('\n')}\n`;
}
