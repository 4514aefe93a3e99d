// An `on_markers` trigger as the router's MARKER_TRIGGERS carries it: marker names, and for the
// entries of other dates or of the other partition `{marker, offset, partition}` (the offset as
// written: the router reads it with the contract, handlers/dated-triggers.ts).
import type { TriggerEntry } from '../generator/contract/marker-dates.ts';
import type { Trigger } from '../generator/model.ts';

export function triggerEntries(trigger: Extract<Trigger, { type: 'on_markers' }>): TriggerEntry[] {
  if (!trigger.dated) return trigger.markers;
  return trigger.dated.map((m) =>
    m.dates ? { marker: m.marker, ...(m.dates.offset && { offset: m.dates.offset.text }), ...(m.dates.partition && { partition: m.dates.partition }) } : m.marker,
  );
}
