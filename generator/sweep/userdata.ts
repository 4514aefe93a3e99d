// The boot script of a sweep's EC2 instance. One template for every item; what differs per item
// (its parameters as an environment file, its user_data, its command) is filled in at run time
// by `States.Format` and encoded by `States.Base64Encode`, so items stay small (the inline Map
// carries them in its input) and the definition holds the script once.
//
// The script writes the parameters to /etc/stepgraph/params.env and exports them, schedules
// `shutdown -h +<ttl minutes>` (the instance terminates itself: shutdown behaviour is
// terminate), watches the load average for `idle_timeout` (best effort: a command waiting on the
// network looks idle), runs `user_data` and then `command`, records the command's exit status as
// the instance tag `stepgraph:exit-status` (this needs an instance profile allowing
// ec2:CreateTags), and shuts down when the command is done so its slot is freed for the next item.
//
// No value ever becomes shell syntax: the environment file, user_data and command arrive base64
// encoded (`encodeSlot`), so no content can end their heredoc (the base64 alphabet has no `_`,
// the delimiter does), and base64 -d writes them to their files byte for byte. The execution name,
// filled in by Step Functions at run time, is read as one line of data (`read -r`): execution
// names have no whitespace or control characters, and the line has a prefix so it never equals the
// delimiter. Intrinsic string literals cannot hold a backslash (asl-validator and the local engine
// refuse `\\`), so the script is written without one; quotes and braces are escaped when rendered.
import type { Json, SweepItem } from './model.ts';
import { shellQuote } from '../shell.ts';
import { valueText } from './template.ts';

/** `States.Base64Encode` takes at most this many characters. */
export const BASE64_INPUT_LIMIT = 10_000;

/** Heredoc delimiter: has `_`, which neither base64 nor the prefixed execution line can hold at its place. */
export const HEREDOC_END = 'STEPGRAPH_EOF';

export const EXIT_STATUS_TAG = 'stepgraph:exit-status';

const SLOTS = ['ENV', 'EXECUTION', 'USER_DATA', 'COMMAND'] as const;
type Slot = (typeof SLOTS)[number];

const SCRIPT = `#!/bin/bash
# stepgraph sweep item: its parameters, user_data, command and time limits (generated).
mkdir -p /etc/stepgraph
base64 -d > /etc/stepgraph/params.env <<'${HEREDOC_END}'
@ENV@
${HEREDOC_END}
base64 -d > /etc/stepgraph/user-data <<'${HEREDOC_END}'
@USER_DATA@
${HEREDOC_END}
base64 -d > /etc/stepgraph/command.sh <<'${HEREDOC_END}'
@COMMAND@
${HEREDOC_END}
IFS= read -r STEPGRAPH_EXECUTION <<'${HEREDOC_END}'
execution:@EXECUTION@
${HEREDOC_END}
STEPGRAPH_EXECUTION="\${STEPGRAPH_EXECUTION#execution:}"
set -a
. /etc/stepgraph/params.env
set +a
export STEPGRAPH_EXECUTION
if [ -n "$STEPGRAPH_TTL_MINUTES" ]; then
  shutdown -h "+$STEPGRAPH_TTL_MINUTES" "stepgraph: ttl reached"
fi
if [ -n "$STEPGRAPH_IDLE_MINUTES" ]; then
  (
    idle=0
    while sleep 60; do
      if awk '{ exit !($1 < 0.1) }' /proc/loadavg; then idle=$((idle + 1)); else idle=0; fi
      if [ "$idle" -ge "$STEPGRAPH_IDLE_MINUTES" ]; then shutdown -h now "stepgraph: idle"; fi
    done
  ) &
fi
has_text() { grep -q '[^[:space:]]' "$1"; }
status=0
if has_text /etc/stepgraph/user-data; then
  chmod +x /etc/stepgraph/user-data
  if head -c 2 /etc/stepgraph/user-data | grep -q '#!'; then /etc/stepgraph/user-data; else bash /etc/stepgraph/user-data; fi
  status=$?
fi
if has_text /etc/stepgraph/command.sh; then
  if [ "$status" -eq 0 ]; then
    bash /etc/stepgraph/command.sh > /var/log/stepgraph-command.log 2>&1
    status=$?
  fi
  if [ "$STEPGRAPH_REPORT_EXIT" = 1 ]; then
    token=$(curl -s -X PUT http://169.254.169.254/latest/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')
    meta() { curl -s -H "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/meta-data/$1"; }
    aws ec2 create-tags --region "$(meta placement/region)" --resources "$(meta instance-id)" --tags "Key=${EXIT_STATUS_TAG},Value=$status"
  fi
  shutdown -h now "stepgraph: command finished"
fi
`;

const SLOT = /@(ENV|EXECUTION|USER_DATA|COMMAND)@/g;

/** The slots in the order they appear: the order of `States.Format`'s arguments. */
export const SLOT_ORDER: readonly Slot[] = [...SCRIPT.matchAll(SLOT)].map((m) => m[1] as Slot);

/** The template as an intrinsic string literal: quotes and braces escaped, each slot a `{}`. */
export function intrinsicTemplate(): string {
  if (SCRIPT.includes('\\')) throw new Error('the user data template must not contain a backslash');
  return SCRIPT.replace(/['{}]/g, (c) => `\\${c}`).replace(SLOT, '{}');
}

/** The script with values in place: what `States.Format` produces at run time (for tests and the local engine). */
export function renderUserData(values: Record<Slot, string>): string {
  return SCRIPT.replace(SLOT, (_, slot: Slot) => values[slot]);
}

/** Characters of the script without its slots' values. */
const TEMPLATE_LENGTH = SCRIPT.replace(SLOT, '').length;

/** Longest execution name Step Functions allows. */
const MAX_EXECUTION_NAME = 80;

/** Characters `States.Base64Encode` will get for this item, at most (the execution name at its longest); takes the encoded slots. */
export function userDataLength(item: { env: string; userData: string; command: string }): number {
  return TEMPLATE_LENGTH + item.env.length + MAX_EXECUTION_NAME + item.userData.length + item.command.length;
}

/** The length of base64 of this many bytes: 4 characters per 3, padded. */
export const base64Length = (bytes: number): number => 4 * Math.ceil(bytes / 3);

/** The length of `encodeSlot(text)`, without encoding. */
export const encodedLength = (text: string): number => base64Length(Buffer.byteLength(text, 'utf8'));

/** A slot's value as the script holds it: base64 of its UTF-8 bytes (only A-Z a-z 0-9 + / =, so only ASCII reaches States.Base64Encode). */
export const encodeSlot = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** `KEY='value'` lines: the item's fields (but the files) and stepgraph's own settings last, so they win. */
export function envFile(sweep: string, item: SweepItem, reportsExit: boolean): string {
  const lines: string[] = [];
  envEntries(sweep, item, reportsExit, (name, text) => lines.push(`${name}=${shellQuote(text)}`));
  return lines.join('\n');
}

/** UTF-8 bytes of envFile(...) without building it: what the check of every item of a sweep needs. */
export function envFileBytes(sweep: string, item: SweepItem, reportsExit: boolean): number {
  let bytes = -1; // n lines, n - 1 newlines
  envEntries(sweep, item, reportsExit, (name, text) => (bytes += 1 + name.length + 1 + quotedBytes(text)));
  return Math.max(bytes, 0);
}

/** The environment file's entries in order: an env name (ASCII) and the value's text. */
function envEntries(sweep: string, item: SweepItem, reportsExit: boolean, entry: (name: string, text: string) => void): void {
  // Called once per item of a sweep (10,000 and more): the fields are walked without copying them.
  const fields = item.fields;
  for (const key in fields) {
    if (key === 'command' || key === 'user_data' || key === 'name' || !Object.hasOwn(fields, key)) continue;
    entry(envName(key), valueText(fields[key] as Json));
  }
  const own: [string, string | undefined][] = [
    ['STEPGRAPH_SWEEP', sweep],
    ['STEPGRAPH_INDEX', String(item.index)],
    ['STEPGRAPH_NAME', item.name],
    ['STEPGRAPH_TTL_MINUTES', item.ttlSeconds !== undefined ? String(Math.ceil(item.ttlSeconds / 60)) : undefined],
    ['STEPGRAPH_IDLE_MINUTES', item.idleSeconds !== undefined ? String(Math.ceil(item.idleSeconds / 60)) : undefined],
    ['STEPGRAPH_REPORT_EXIT', reportsExit ? '1' : undefined],
  ];
  for (const [key, value] of own) if (value !== undefined) entry(key, value);
}

/** UTF-8 bytes of shellQuote(text); the values of a sweep's items repeat, so each is measured once. */
function quotedBytes(text: string): number {
  let bytes = quoted.get(text);
  if (bytes === undefined) {
    bytes = Buffer.byteLength(shellQuote(text), 'utf8');
    if (quoted.size >= 10_000) quoted.clear();
    quoted.set(text, bytes);
  }
  return bytes;
}

const quoted = new Map<string, number>();

/** `learning_rate` -> `LEARNING_RATE`; anything but letters, digits and `_` becomes `_`. */
function envName(key: string): string {
  let name = envNames.get(key);
  if (name === undefined) {
    name = key.toUpperCase().replace(/[^A-Z0-9_]/g, '_');
    if (/^[0-9]/.test(name)) name = `_${name}`;
    if (envNames.size >= 10_000) envNames.clear();
    envNames.set(key, name);
  }
  return name;
}

/** Every item of a sweep has the same keys: each is converted once. */
const envNames = new Map<string, string>();

