// The boot script: the intrinsic form Step Functions evaluates equals the script we mean, it is
// valid bash, its environment file gives the command exactly the parameter values, and run with
// stand-ins for shutdown, curl and aws it runs the command, records its exit status and shuts down.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StateMachine } from '../../generator/local/engine.ts';
import { envFile, intrinsicTemplate, renderUserData, shellQuote, SLOT_ORDER } from '../../generator/sweep/userdata.ts';
import type { SweepItem } from '../../generator/sweep/model.ts';

const item = (fields: SweepItem['fields'], extra: Partial<SweepItem> = {}): SweepItem => ({ index: 3, name: 'lr-0.1', fields, span: { start: 0, end: 1 }, ...extra });
const values = { ENV: "A='1'", EXECUTION: 'demo-20260101-000000', USER_DATA: 'echo setup', COMMAND: 'echo run' };

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
  const run = (command: string, userData = '') => {
    const dir = mkdtempSync(join(tmpdir(), 'sweep-boot-'));
    const bin = join(dir, 'bin');
    const log = join(dir, 'calls.log');
    execFileSync('mkdir', ['-p', bin]);
    for (const tool of ['shutdown', 'aws', 'curl']) {
      const reply = tool === 'curl' ? 'case "$*" in *instance-id*) echo i-0abc;; *region*) echo eu-west-1;; *) echo token;; esac' : 'true';
      writeFileSync(join(bin, tool), `#!/bin/bash\necho "${tool} $*" >> ${shellQuote(log)}\n${reply}\n`);
      chmodSync(join(bin, tool), 0o755);
    }
    // The script's fixed paths, moved into the test's own directory.
    const script = renderUserData({ ...values, ENV: envFile('demo', item({}, { ttlSeconds: 600 }), true), COMMAND: command, USER_DATA: userData })
      .replaceAll('/etc/stepgraph', join(dir, 'etc'))
      .replaceAll('/var/log', dir);
    writeFileSync(join(dir, 'boot.sh'), script);
    const result = spawnSync('bash', [join(dir, 'boot.sh')], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, encoding: 'utf8' });
    const commandLog = join(dir, 'stepgraph-command.log');
    return { status: result.status, calls: readFileSync(log, 'utf8').trim().split('\n'), output: existsSync(commandLog) ? readFileSync(commandLog, 'utf8') : '' };
  };

  it('schedules the ttl shutdown, runs the command, tags its exit status and shuts down', () => {
    const { calls, output } = run('echo "lr is $LR, sweep $STEPGRAPH_SWEEP"; exit 3');
    expect(calls[0]).toBe('shutdown -h +10 stepgraph: ttl reached');
    expect(calls.filter((c) => c.startsWith('aws'))).toEqual(['aws ec2 create-tags --region eu-west-1 --resources i-0abc --tags Key=stepgraph:exit-status,Value=3']);
    expect(calls.at(-1)).toBe('shutdown -h now stepgraph: command finished');
    expect(output).toBe('lr is , sweep demo\n');
  });

  it('does not run the command when user_data fails, and records that failure', () => {
    const { calls, output } = run('echo should-not-run', 'exit 7');
    expect(output).toBe('');
    expect(calls).toContain('aws ec2 create-tags --region eu-west-1 --resources i-0abc --tags Key=stepgraph:exit-status,Value=7');
  });
});
