// Sweep ids are execution names: `<sweep>-<yyyymmdd>-<hhmmss>` (UTC), as spawn names its sweeps,
// so the state machine (named after the sweep) and the run are both readable from the id.

const STAMP = /-(\d{8})-(\d{6})(?:-(\d+))?$/;

export function sweepId(sweep: string, now: Date, attempt = 1): string {
  const iso = now.toISOString();
  const stamp = `${iso.slice(0, 10).replace(/-/g, '')}-${iso.slice(11, 19).replace(/:/g, '')}`;
  return attempt > 1 ? `${sweep}-${stamp}-${attempt}` : `${sweep}-${stamp}`;
}

/** The sweep (state machine) an id belongs to; undefined when the id is not one of ours. */
export function sweepOfId(id: string): string | undefined {
  const m = STAMP.exec(id);
  return m ? id.slice(0, m.index) || undefined : undefined;
}
