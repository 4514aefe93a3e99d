// The one waiting mechanism: a Task that reads a marker object and is retried while the object
// does not exist, backing off up to the poll interval, for as many attempts as fit in the
// deadline. Retries cost no extra states, and the first check is immediate.

export interface PollSchedule {
  IntervalSeconds: number;
  BackoffRate: number;
  MaxDelaySeconds: number;
  MaxAttempts: number;
  /** When the last check happens, in seconds after the first (>= the deadline). */
  lastCheckSeconds: number;
}

const FIRST_INTERVAL = 5;
const BACKOFF = 2;

/** Sum of the first n retry delays: min(first * 2^k, max) for k < n (the ramp, then max each). */
function totalDelay(first: number, max: number, n: number): number {
  let sum = 0;
  let k = 0;
  for (let d = first; k < n && d < max; k++, d *= BACKOFF) sum += d;
  return sum + (n - k) * max;
}

/**
 * Retry parameters whose last check lands exactly on the deadline when some first interval
 * (1-5s) and cap (half the poll interval to all of it) make the delays add up to it, which
 * covers the durations people write; otherwise the last check lands less than one poll
 * interval after the deadline. Never before it.
 */
export function pollSchedule(deadlineSeconds: number, pollSeconds: number): PollSchedule {
  const poll = Math.max(1, Math.round(pollSeconds));
  const deadline = Math.max(1, Math.round(deadlineSeconds));
  // Short deadlines may use caps below half the poll interval: there are few checks anyway.
  const lowestCap = deadline <= 4 * poll ? 1 : Math.ceil(poll / 2);
  for (let cap = poll; cap >= lowestCap; cap--) {
    for (let first = Math.min(FIRST_INTERVAL, cap); first >= 1; first--) {
      // The ramp: the delays below the cap, before every delay equals the cap.
      let ramp = 0;
      let steps = 0;
      for (let d = first; d < cap; d *= BACKOFF) {
        ramp += d;
        steps++;
      }
      if (ramp <= deadline && (deadline - ramp) % cap === 0 && steps + (deadline - ramp) / cap >= 1) {
        return schedule(first, cap, steps + (deadline - ramp) / cap);
      }
    }
  }
  // The fewest attempts whose delays reach the deadline: the ramp, then whole poll intervals.
  const first = Math.min(FIRST_INTERVAL, poll);
  let attempts = 0;
  let sum = 0;
  for (let d = first; d < poll && sum < deadline; d *= BACKOFF) {
    sum += d;
    attempts++;
  }
  if (sum < deadline) attempts += Math.ceil((deadline - sum) / poll);
  return schedule(first, poll, attempts);
}

function schedule(first: number, cap: number, attempts: number): PollSchedule {
  return {
    IntervalSeconds: first,
    BackoffRate: first < cap ? BACKOFF : 1,
    MaxDelaySeconds: cap,
    MaxAttempts: Math.max(1, attempts),
    lastCheckSeconds: totalDelay(first, cap, Math.max(1, attempts)),
  };
}
