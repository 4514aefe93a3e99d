// Readers of the options jobs and sweeps share: durations, retry and wait policies.
import { Codes } from '../messages.ts';
import type { RetryPolicy, WaitPolicy } from '../model.ts';
import type { Entry, Reader } from './reader.ts';
import { durationHint, parseDuration } from './values.ts';

export function duration(r: Reader, entry: Entry | undefined): number | undefined {
  if (!entry) return undefined;
  const raw = r.scalar(entry.value);
  if (typeof raw === 'number') {
    r.error(entry.span, Codes.badDuration, `'${entry.key}' is a bare number (${raw})`, `add a unit: '${raw}s', '${raw}m' or '${raw}h'`);
    return undefined;
  }
  const text = r.string(entry);
  if (text === undefined) return undefined;
  const seconds = parseDuration(text);
  if (seconds === undefined) r.error(entry.span, Codes.badDuration, `'${text}' is not a duration`, durationHint);
  return seconds;
}

export function retryPolicy(r: Reader, entry: Entry | undefined, fallback: RetryPolicy): RetryPolicy {
  const fields = r.fields(r.map(entry) ?? null, "'retry'", ['attempts', 'interval', 'backoff']);
  if (!fields) return fallback;
  const backoffEntry = fields.get('backoff');
  let backoff = r.number(backoffEntry);
  if (backoff !== undefined && backoffEntry && backoff < 1) {
    r.error(backoffEntry.span, Codes.badNumber, `'backoff' must be 1 or more, not ${backoff}`, 'each retry waits interval x backoff^n; 1 means a fixed interval');
    backoff = undefined;
  }
  return {
    attempts: r.integer(fields.get('attempts'), 0, 99) ?? fallback.attempts,
    intervalSeconds: duration(r, fields.get('interval')) ?? fallback.intervalSeconds,
    backoff: backoff ?? fallback.backoff,
  };
}

export function waitPolicy(r: Reader, entry: Entry | undefined, fallback: WaitPolicy): WaitPolicy {
  const fields = r.fields(r.map(entry) ?? null, "'wait'", ['timeout', 'poll']);
  if (!fields) return fallback;
  obsoletePoll(r, fields.get('poll'));
  return { timeoutSeconds: duration(r, fields.get('timeout')) ?? fallback.timeoutSeconds };
}

/** `poll` was how often a wait looked for its marker; waits are now released by the marker's event. */
export function obsoletePoll(r: Reader, entry: Entry | undefined): void {
  if (entry) r.warning(entry.keySpan, Codes.obsoleteKey, "'poll' has no effect: a wait is released by the event that writes its marker, nothing polls", "remove 'poll'");
}

