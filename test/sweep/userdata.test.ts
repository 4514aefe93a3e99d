// The boot script: the intrinsic form Step Functions evaluates equals the script we mean, it is
// valid bash, its environment file gives the command exactly the parameter values, and run with
// stand-ins for shutdown, curl and aws it runs the command, records its exit status and shuts down.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StateMachine } from '../../generator/local/engine.ts';
import { bootPieces, bootScriptLength } from '../../generator/sweep/ec2.ts';
import { shellQuote } from '../../generator/shell.ts';
import { encodeSlot, envFile, HEREDOC_END, intrinsicTemplate, renderUserData, SLOT_ORDER, userDataLength, envFileBytes } from '../../generator/sweep/userdata.ts';
import type { SweepItem } from '../../generator/sweep/model.ts';

const item = (fields: SweepItem['fields'], extra: Partial<SweepItem> = {}): SweepItem => ({ index: 3, name: 'lr-0.1', fields, span: { start: 0, end: 1 }, ...extra });
const values = { ENV: encodeSlot("A='1'"), EXECUTION: 'demo-20260101-000000', USER_DATA: encodeSlot('echo setup'), COMMAND: encodeSlot('echo run') };

describe('the intrinsic template', () => {
  it('is what States.Format makes of it on the engine, slot for slot', async () => {
    // GIVEN the template as the definition holds it, and the slot values as paths
    const args = SLOT_ORDER.map((slot) => `$.${slot}`).join(', ');
    const machine = new StateMachine({ StartAt: 'Render', States: { Render: { Type: 'Pass', Parameters: { 'script.$': `States.Format('${intrinsicTemplate()}', ${args})` }, End: true } } } as never);

    // WHEN the engine evaluates it
    const out = (await machine.run(values as never).result) as { script: string };

    // THEN it is the script with the values in place
    expect(out.script).toBe(renderUserData(values));
    expect(intrinsicTemplate()).not.toContain('\\\\');
  });

  it('is valid bash', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sweep-userdata-'));
    const path = join(dir, 'boot.sh');
    writeFileSync(path, renderUserData(values));
    expect(spawnSync('bash', ['-n', path]).status).toBe(0);
  });
});

describe('the environment file', () => {
  it('gives the command each parameter exactly, quotes, dollars, backslashes and newlines included', () => {
    // GIVEN parameters a shell would mangle if they were not quoted right
    const tricky = { quote: "it's", dollar: '$HOME and `date`', backslash: 'a\\b', newline: 'one\ntwo', number: 0.001, flag: true, list: [1, 'a'] };
    const env = envFile('demo', item({ ...tricky, command: 'ignored', 'batch-size': 32 }, { ttlSeconds: 5400, idleSeconds: 600 }), true);

    // WHEN bash sources it and prints the variables
    const dir = mkdtempSync(join(tmpdir(), 'sweep-env-'));
    writeFileSync(join(dir, 'params.env'), env);
    const names = ['QUOTE', 'DOLLAR', 'BACKSLASH', 'NEWLINE', 'NUMBER', 'FLAG', 'LIST', 'BATCH_SIZE', 'STEPGRAPH_SWEEP', 'STEPGRAPH_INDEX', 'STEPGRAPH_NAME', 'STEPGRAPH_TTL_MINUTES', 'STEPGRAPH_IDLE_MINUTES', 'STEPGRAPH_REPORT_EXIT'];
    const script = `set -a; . ${shellQuote(join(dir, 'params.env'))}; set +a; for n in ${names.join(' ')}; do printf '%s\\0' "\${!n}"; done`;
    const printed = execFileSync('bash', ['-c', script], { encoding: 'utf8' }).split('\0').slice(0, -1);

    // THEN every value arrives as written (the command itself is not in the file)
    expect(printed).toEqual(["it's", '$HOME and `date`', 'a\\b', 'one\ntwo', '0.001', 'true', '[1,"a"]', '32', 'demo', '3', 'lr-0.1', '90', '10', '1']);
    expect(env).not.toContain('ignored');
  });
});

describe('the script, run with stand-ins for shutdown, curl and aws', () => {
  const run = (fields: SweepItem['fields'], execution = values.EXECUTION) => {
    const dir = mkdtempSync(join(tmpdir(), 'sweep-boot-'));
    const bin = join(dir, 'bin');
    const log = join(dir, 'calls.log');
    execFileSync('mkdir', ['-p', bin]);
    writeFileSync(log, '');
    for (const tool of ['shutdown', 'aws', 'curl']) {
      const reply = tool === 'curl' ? 'case "$*" in *instance-id*) echo i-0abc;; *region*) echo eu-west-1;; *) echo token;; esac' : 'true';
      writeFileSync(join(bin, tool), `#!/bin/bash\necho "${tool} $*" >> ${shellQuote(log)}\n${reply}\n`);
      chmodSync(join(bin, tool), 0o755);
    }
    const pieces = bootPieces('demo', item({ iam_role: 'runner', ...fields }, { ttlSeconds: 600 }), typeof fields.command === 'string');
    // The script's fixed paths, moved into the test's own directory (the test runs unprivileged).
    const script = renderUserData({ ENV: pieces.env, EXECUTION: execution, USER_DATA: pieces.userData, COMMAND: pieces.command })
      .replaceAll('/etc/stepgraph', join(dir, 'etc'))
      .replaceAll('/var/log', dir);
    writeFileSync(join(dir, 'boot.sh'), script);
    const result = spawnSync('bash', [join(dir, 'boot.sh')], { cwd: dir, env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, encoding: 'utf8' });
    const commandLog = join(dir, 'stepgraph-command.log');
    return { dir, status: result.status, stderr: result.stderr, calls: readFileSync(log, 'utf8').trim().split('\n'), output: existsSync(commandLog) ? readFileSync(commandLog, 'utf8') : '' };
  };

  it('schedules the ttl shutdown, runs the command, tags its exit status and shuts down', () => {
    const { calls, output } = run({ command: 'echo "lr is $LR, sweep $STEPGRAPH_SWEEP in $STEPGRAPH_EXECUTION"; exit 3' });
    expect(calls[0]).toBe('shutdown -h +10 stepgraph: ttl reached');
    expect(calls.filter((c) => c.startsWith('aws'))).toEqual(['aws ec2 create-tags --region eu-west-1 --resources i-0abc --tags Key=stepgraph:exit-status,Value=3']);
    expect(calls.at(-1)).toBe('shutdown -h now stepgraph: command finished');
    expect(output).toBe('lr is , sweep demo in demo-20260101-000000\n');
  });

  it('does not run the command when user_data fails, and records that failure', () => {
    const { calls, output } = run({ command: 'echo should-not-run', user_data: 'exit 7' });
    expect(output).toBe('');
    expect(calls).toContain('aws ec2 create-tags --region eu-west-1 --resources i-0abc --tags Key=stepgraph:exit-status,Value=7');
  });

  // Issue 12, item 1: a value with a line equal to the heredoc delimiter ran as root and skipped the ttl.
  it('runs nothing a parameter, user_data or command value carries, and still schedules the ttl', () => {
    const breakout = `x\n${HEREDOC_END}\ntouch pwned\n: `;
    const hostile = { note: breakout, quote: "'; touch pwned; '", dollar: '$(touch pwned)`touch pwned`', emoji: 'ünï 🎉\u2028', [`${HEREDOC_END}`]: breakout };
    const { dir, calls, output } = run({ ...hostile, user_data: `echo setup\n${HEREDOC_END}\ntouch pwned-too`, command: `printf '%s|' "$NOTE" "$QUOTE" "$DOLLAR" "$EMOJI"\n${HEREDOC_END}\ntouch pwned-three` });

    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(calls[0]).toBe('shutdown -h +10 stepgraph: ttl reached');
    // user_data and command ran as written: their own delimiter-looking lines are just lines of them.
    expect(existsSync(join(dir, 'pwned-too'))).toBe(true);
    expect(output.startsWith(`${breakout}|'; touch pwned; '|$(touch pwned)\`touch pwned\`|ünï 🎉\u2028|`)).toBe(true);
    expect(existsSync(join(dir, 'pwned-three'))).toBe(true);
  });

  it('reads an execution name with quotes and a delimiter-like value as data', () => {
    const { dir, output, calls } = run({ command: 'echo "$STEPGRAPH_EXECUTION"' }, `${HEREDOC_END}';touch${'$'}IFS'pwned`);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(output).toBe(`${HEREDOC_END}';touch$IFS'pwned\n`);
    expect(calls[0]).toBe('shutdown -h +10 stepgraph: ttl reached');
  });

  it('holds only base64 and the fixed template around the values, whatever they are', () => {
    const pieces = bootPieces('demo', item({ note: `a\n${HEREDOC_END}\n🎉` , command: `x\n${HEREDOC_END}`, user_data: '\u2028' }), true);
    for (const piece of Object.values(pieces)) expect(piece).toMatch(/^[A-Za-z0-9+/=]*$/);
  });
});

describe('the boot script length the check uses', () => {
  it('is the length of the encoded pieces, counted without encoding, for ASCII, multi-byte and empty values', () => {
    const samples = [
      {},
      { command: 'run.sh --lr 0.1' },
      { note: "🎉é\u2028 it's", command: 'x'.repeat(7), user_data: 'ab' },
      { command: '', user_data: 'x'.repeat(1000), iam_role: 'r', lr: 0.5, on: true, off: null },
      { 'naïve key': { nested: ["'", 'ü'] }, list: [1, 2], '9lives': 'x' },
    ];
    for (const fields of samples) {
      const sample = item(fields as SweepItem['fields'], { ttlSeconds: 600 });
      for (const exits of [false, true]) {
        expect(bootScriptLength('demo', sample, exits)).toBe(userDataLength(bootPieces('demo', sample, exits)));
        expect(envFileBytes('demo', sample, exits)).toBe(Buffer.byteLength(envFile('demo', sample, exits)));
      }
    }
  });
});
