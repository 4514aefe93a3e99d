// The entries of an `on_markers` trigger: a marker name (the run's own date), or the spelling of a
// `waits_for` entry, `{marker, date, partition}` (contract/marker-dates.ts): the run of date D
// starts when every entry's markers exist, an entry's being those of D moved by its `date` and
// seen in its `partition` (all 24 hours of D for `partition: hourly` in a daily workflow). The
// router asks which runs a marker that lands may start (`runDatesReading`), then checks them all.
//
// Refused: `since`, `bucket`, `prefix` (a trigger hears only the workflow's own marker store, and
// a trigger's start is not a chain's first date), a trigger whose entries are all of earlier
// dates (SG2040: the run of D would start on D-1's markers, before any data of D exists: say which
// marker of D it needs too), and a marker given twice for the same dates (SG2041).
import { Codes } from '../messages.ts';
import type { MarkerDatesSpec, Partition, TriggerMarker } from '../model.ts';
import { readMarkerDates } from './marker-dates.ts';
import type { Entry, Reader } from './reader.ts';
import { jobNameProblem, report } from './values.ts';

const label = (m: TriggerMarker): string => `${m.marker}${m.dates?.offset ? ` ${m.dates.offset.text}` : ''}${m.dates?.partition ? ` (${m.dates.partition})` : ''}`;

/** The trigger's markers; `dated` lists every entry when one of them reads another date or partition. */
export function readTriggerMarkers(r: Reader, entry: Entry, partition: Partition): { markers: string[]; dated?: TriggerMarker[] } {
  const entries: TriggerMarker[] = [];
  const seen = new Map<string, number>();
  for (const item of r.listOrOne(entry) ?? []) {
    let marker: string | undefined;
    let dates: MarkerDatesSpec | undefined;
    const value = r.scalar(item.node);
    if (typeof value === 'string') marker = value;
    else {
      const fields = r.fields(item.node, "an 'on_markers' entry", ['marker', 'date', 'partition']);
      if (!fields) {
        r.error(item.span, Codes.badTriggerMarker, "each 'on_markers' entry must be a marker name or a mapping with 'marker'", "e.g. 'on_markers: [events, { marker: daily_rollup, date: -1d }]'");
        continue;
      }
      const markerEntry = fields.get('marker');
      if (!markerEntry) {
        r.error(item.span, Codes.badTriggerMarker, "an 'on_markers' entry names no marker", "add 'marker: <name>' (the job part of '<name>__<yyyymmdd>.done')");
        continue;
      }
      marker = r.string(markerEntry);
      const read = readMarkerDates(r, fields, partition, `the trigger's marker '${marker ?? '?'}'`);
      if (read === false || marker === undefined) continue;
      dates = read;
    }
    if (!report(r, item.span, Codes.badMarkerName, jobNameProblem(marker, 'marker'))) continue;
    const m: TriggerMarker = { marker, ...(dates && { dates }) };
    const first = seen.get(label(m));
    if (first !== undefined) {
      r.error(item.span, Codes.triggerMarkerTwice, `the trigger names '${label(m)}' twice`, 'list each marker once', { message: 'first named here', file: r.file, offset: first });
      continue;
    }
    seen.set(label(m), item.span.start);
    entries.push(m);
  }
  const markers = [...new Set(entries.map((m) => m.marker))];
  if (!entries.some((m) => m.dates)) return { markers };
  if (entries.every((m) => m.dates?.offset)) {
    r.error(entry.span, Codes.triggerOnlyPastDates, `every marker of this trigger is of an earlier date (${entries.map(label).join(', ')}): the run of a date would start before any of its own data exists`, "add the marker of the run's own date that should start it, e.g. 'on_markers: [ingest, { marker: daily_rollup, date: -1d }]'");
  }
  return { markers, dated: entries };
}
