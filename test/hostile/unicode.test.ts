// Issue 12, item 7: characters outside Latin-1 (an emoji, U+2028) in a sweep item's name, params
// or command. Params and command reach the boot script encoded, so they simulate; a name that no
// EC2 tag can hold is refused at validate; and a failed sweep never reports an item as succeeded.
import { describe, expect, it } from 'vitest';
import { simulateSweep } from '../../generator/sweep/simulate.ts';
import { compile, compiled, printed } from '../sweep/support.ts';

const base = { instance_type: 't3.micro', ttl: '10m', iam_role: 'worker' };

describe('non-Latin-1 text in an EC2 sweep', () => {
  it('in params and command: validates, and the sweep simulates to success', async () => {
    const c = compiled({ name: 'uni', defaults: { ...base, command: 'echo {note} 🎉' }, params: [{ note: 'ünï 🎉\u2028x', name: 'café-1' }, { note: '日本語', name: '日本語' }] });
    const result = await simulateSweep(c);
    expect(result.status, result.cause).toBe('SUCCEEDED');
    expect(result.items.map((i) => i.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  });

  it('in a name: refused at validate when EC2 cannot tag an instance with it', () => {
    const result = compile({ name: 'uni', defaults: { ...base, command: 'run' }, params: [{ name: 'party-🎉' }, { name: 'line\u2028sep' }, { name: 'ok name_1.2:a/b=c+d-e@f' }] });
    expect(result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code), printed(result)).toEqual(['SG5021', 'SG5021']);
  });
});

describe('a failed sweep', () => {
  it('reports no item it has no result for as succeeded', async () => {
    const c = compiled({ name: 'fails', tolerated_failures: 0, defaults: { ...base, command: 'run {x}' }, params: [{ x: 1 }, { x: 2 }, { x: 3 }] });
    const result = await simulateSweep(c, { fail: new Set([1]) });
    expect(result.status).toBe('FAILED');
    for (const item of result.items) expect(item.status).not.toBe('SUCCEEDED');
    expect(result.items[1].status).toBe('FAILED');
  });
});
