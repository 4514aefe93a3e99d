// Checks over the expanded items: what the EC2 runner needs of each one (an instance type, one
// region or a region for all, user data that fits), names that work as tags, and warnings for
// instances nothing would ever end. Items of one matrix share a place, so each place is
// reported once.
import { Codes } from '../messages.ts';
import type { Entry, Reader, Span } from '../check/reader.ts';
import type { WrittenField } from './check.ts';
import type { SweepItem, SweepRunner } from './model.ts';
import { bootScriptLength, reportsExit } from './ec2.ts';
import { BASE64_INPUT_LIMIT } from './userdata.ts';

const REPORT_AT_MOST = 20;
/** EC2 tag values hold 256 characters; names also label states' inputs and the console. */
const MAX_ITEM_NAME = 128;

export function checkItems(r: Reader, sweep: string, runner: SweepRunner, items: readonly SweepItem[], defaults: Map<string, WrittenField>, defaultsEntry: Entry | undefined, topSpan: Span): void {
  checkNames(r, items);
  if (runner.type !== 'ec2') return;
  checkTagNames(r, items);
  checkInstanceTypes(r, items, defaults, defaultsEntry, topSpan);
  checkRegions(r, items, defaults);
  checkUserData(r, sweep, items);
  warnUnbounded(r, items);
  warnNoExitStatus(r, items, defaults);
}

/** Each place once, at most REPORT_AT_MOST of them. */
function places(items: readonly SweepItem[]): SweepItem[] {
  const seen = new Set<number>();
  return items.filter((i) => !seen.has(i.span.start) && seen.add(i.span.start)).slice(0, REPORT_AT_MOST);
}

function checkNames(r: Reader, items: readonly SweepItem[]): void {
  const first = new Map<string, SweepItem>();
  let duplicates = 0;
  for (const item of items) {
    if (item.name.length > MAX_ITEM_NAME || /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(item.name) || item.name.trim() === '') {
      r.error(item.span, Codes.badItemName, `item ${item.index} is named '${item.name.slice(0, 40)}${item.name.length > 40 ? '…' : ''}', which is not usable as a name`, `names are 1-${MAX_ITEM_NAME} characters on one line`);
      continue;
    }
    const earlier = first.get(item.name);
    if (!earlier) {
      first.set(item.name, item);
      continue;
    }
    if (++duplicates > REPORT_AT_MOST) continue;
    const place = earlier.span.start === item.span.start ? 'another item from the same place' : 'an earlier item';
    r.warning(item.span, Codes.duplicateItemName, `item ${item.index} is named '${item.name}', like ${place} (item ${earlier.index})`, "names tag the instances and label the results: give each entry its own 'name', or put '{index}' or parameters in a shared one");
  }
}

/** Characters an EC2 tag value may hold (letters, digits and spaces of any script, and _ . : / = + - @). */
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/** An EC2 item's name is its instance's `Name` tag: it must be a tag value EC2 and other services accept. */
function checkTagNames(r: Reader, items: readonly SweepItem[]): void {
  const bad = items.filter((i) => !TAG_VALUE.test(i.name));
  for (const item of places(bad)) {
    const odd = [...new Set([...item.name].filter((c) => !TAG_VALUE.test(c)))].slice(0, 5).map((c) => JSON.stringify(c)).join(', ');
    r.error(item.span, Codes.badItemName, `item ${item.index} is named '${item.name.slice(0, 60)}', which is not usable as an EC2 tag value (${odd})`, 'an instance is tagged with its name: use letters, digits, spaces and _ . : / = + - @');
  }
}

function checkInstanceTypes(r: Reader, items: readonly SweepItem[], defaults: Map<string, WrittenField>, defaultsEntry: Entry | undefined, topSpan: Span): void {
  if (defaults.has('instance_type')) return;
  const missing = items.filter((i) => typeof i.fields.instance_type !== 'string');
  if (missing.length === 0) return;
  if (missing.length === items.length) {
    r.error(defaultsEntry?.keySpan ?? topSpan, Codes.missingKey, "an EC2 sweep needs an 'instance_type'", "set it in 'defaults' (e.g. instance_type: t3.micro), or in every entry");
    return;
  }
  for (const item of places(missing)) {
    r.error(item.span, Codes.missingKey, `item ${item.index} ('${item.name}') has no 'instance_type', and 'defaults' gives none`, "add 'instance_type' here, or a default in 'defaults'");
  }
}

/** An item without a region runs where the stack is; mixing that with explicit regions is ambiguous. */
function checkRegions(r: Reader, items: readonly SweepItem[], defaults: Map<string, WrittenField>): void {
  if (defaults.has('region')) return;
  const withRegion = items.filter((i) => typeof i.fields.region === 'string');
  if (withRegion.length === 0 || withRegion.length === items.length) return;
  const without = items.filter((i) => typeof i.fields.region !== 'string');
  for (const item of places(without)) {
    r.error(item.span, Codes.mixedRegions, `item ${item.index} ('${item.name}') names no 'region', but other items do (e.g. item ${withRegion[0].index}: ${String(withRegion[0].fields.region)})`, "give every entry a 'region', or set the sweep's region in 'defaults'");
  }
}

function checkUserData(r: Reader, sweep: string, items: readonly SweepItem[]): void {
  // The slots are encoded (userdata.ts), so no content can end a heredoc: only the length is checked.
  const tooLong: SweepItem[] = [];
  for (const item of items) {
    if (bootScriptLength(sweep, item, reportsExit(item)) > BASE64_INPUT_LIMIT) tooLong.push(item);
  }
  for (const item of places(tooLong)) {
    r.error(item.span, Codes.userDataTooLarge, `item ${item.index} ('${item.name}'): its parameters, user_data and command make a boot script longer than ${BASE64_INPUT_LIMIT.toLocaleString('en-US')} characters`, 'Step Functions encodes at most that much; keep large scripts on the AMI or in S3 and run them from a short command');
  }
}

function warnUnbounded(r: Reader, items: readonly SweepItem[]): void {
  const unbounded = items.filter((i) => i.ttlSeconds === undefined && i.idleSeconds === undefined && typeof i.fields.command !== 'string');
  for (const item of places(unbounded).slice(0, 5)) {
    r.warning(item.span, Codes.unboundedInstance, `item ${item.index} ('${item.name}') has no 'ttl', 'idle_timeout' or 'command': nothing ends its instance`, "the sweep waits until someone terminates it; set a 'ttl' in 'defaults'");
  }
}

function warnNoExitStatus(r: Reader, items: readonly SweepItem[], defaults: Map<string, WrittenField>): void {
  const blind = items.find((i) => typeof i.fields.command === 'string' && typeof i.fields.iam_role !== 'string');
  if (!blind) return;
  const at = defaults.get('command')?.entry.span ?? blind.span;
  r.warning(at, Codes.noExitStatus, "without an 'iam_role' an instance cannot record its command's exit status, so a failing command still counts as done", "give an instance profile that allows ec2:CreateTags on the instance itself (the exit status becomes the tag 'stepgraph:exit-status')");
}
