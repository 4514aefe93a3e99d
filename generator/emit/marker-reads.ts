// Outputs that are not in the state where a job starts come from markers. The run's state holds the
// outputs of the jobs that ran before a job in its own line (earlier in its sequence, in a Parallel
// already merged); a job upstream that ran elsewhere (in another branch, reached by an in-run wait;
// in a child state machine of a split graph; skipped by a replay's selection) wrote its outputs into
// its marker, so the job reads them there first: `J reads X` (s3:getObject of X's marker of this
// run's date) then `J reads X outputs` (filed under `$.outputs.<X>`). A marker that does not exist
// (a job skipped by a condition writes none) leaves the outputs absent, as a skipped job's are. A
// `waits_for` marker a job's values read from (`{inputs.<marker>.<name>}`) is read the same way,
// once its wait is over. A read is not retried: a missing marker must not be looked for again
// (nothing polls), and another failure fails the read in place, where a redrive continues.
import type { SplitBlock } from '../plan/split.ts';
import type { State } from './job.ts';
import { stateName } from './names.ts';
import { hasOutputs } from './outputs.ts';
import { markerKey } from './waits.ts';
import { markerKeyPattern } from '../contract/markers.ts';
import type { Job, Workflow } from '../model.ts';

const S3_GET = 'arn:aws:states:::aws-sdk:s3:getObject';

const readNames = {
  read: (job: string, what: string) => stateName(job === what ? `${job} reads its marker` : `${job} reads ${what}`),
  file: (job: string, what: string) => stateName(job === what ? `${job} reads its outputs` : `${job} reads ${what} outputs`),
};

/** Upstream jobs (transitive needs) with outputs whose outputs are not in the state where `job` starts. */
export function missingInputs(job: Job, jobs: ReadonlyMap<string, Job>, inLine: (x: string, j: string) => boolean): string[] {
  const seen = new Set<string>();
  const stack = [...job.needs];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...(jobs.get(n)?.needs ?? []));
  }
  return [...seen].filter((n) => hasOutputs(jobs.get(n)!) && !inLine(n, job.name)).sort();
}

/** `waits_for` markers whose outputs the job's values read (its local command's included: `run --local` runs this definition). */
export function markersRead(job: Job): string[] {
  const text = JSON.stringify(job.kind) + (job.local?.command ?? '');
  return job.waitsFor.map((w) => w.marker).filter((m) => text.includes(`{inputs.${m}.`));
}

/** The two states that read `what`'s marker into `$.outputs.<what>`, the first linked to the second. */
function readStates(owner: string, what: string, bucket: string, prefix: string): [string, State][] {
  const read = readNames.read(owner, what);
  const file = readNames.file(owner, what);
  return [
    [
      read,
      {
        Type: 'Task',
        Resource: S3_GET,
        Parameters: { Bucket: bucket, 'Key.$': markerKey(prefix, what) },
        ResultSelector: { 'body.$': 'States.StringToJson($.Body)' },
        ResultPath: '$.job',
        // No marker: no outputs (a job skipped by its condition writes none); the read moves on.
        Catch: [{ ErrorEquals: ['S3.NoSuchKeyException'], ResultPath: null, Next: '' }],
        Next: file,
      },
    ],
    [file, { Type: 'Pass', InputPath: '$.job.body.outputs', ResultPath: `$.outputs.${what}` }],
  ];
}

/**
 * Whether X's outputs are in the state where J starts, in the definition whose root is `root`: X ran
 * before J in the same line, i.e. where their paths through the block tree part, they part in a
 * sequence with X first (parting in a Parallel means other branches; a job inside a child machine
 * has no path here). One walk, then each question costs the depth of the tree.
 */
export function lineageOf(root: SplitBlock): (x: string, j: string) => boolean {
  const paths = new Map<string, [SplitBlock, number][]>();
  const walk = (b: SplitBlock, path: [SplitBlock, number][]): void => {
    if (b.kind === 'job') paths.set(b.job, path);
    else if (b.kind !== 'part') (b.kind === 'seq' ? b.items : b.branches).forEach((c, i) => walk(c, [...path, [b, i]]));
  };
  walk(root, []);
  return (x, j) => {
    const px = paths.get(x);
    const pj = paths.get(j);
    if (!px || !pj) return false;
    for (let i = 0; i < Math.min(px.length, pj.length); i++) {
      if (px[i][0] !== pj[i][0]) return false;
      if (px[i][1] !== pj[i][1]) return px[i][0].kind === 'seq' && px[i][1] < pj[i][1];
    }
    return false;
  };
}

/**
 * The read states of `whats` linked in order and on to `next` (a missing marker skips to the next
 * read). Another producer's marker may hold no outputs at all: `J reads X has outputs?` looks first.
 */
export function readChain(owner: string, whats: readonly { what: string; bucket: string; prefix: string; external?: boolean }[], next: string): [string, State][] {
  const out: [string, State][] = [];
  for (let i = whats.length - 1, after = next; i >= 0; i--) {
    const { what, external } = whats[i];
    const [[readName, read], [fileName, file]] = readStates(owner, what, whats[i].bucket, whats[i].prefix);
    const check = stateName(`${readNames.file(owner, what)}?`);
    const guard: [string, State][] = external ? [[check, { Type: 'Choice', Choices: [{ Variable: '$.job.body.outputs', IsPresent: true, Next: fileName }], Default: after }]] : [];
    out.unshift([readName, { ...read, Catch: [{ ...(read.Catch as State[])[0], Next: after }], Next: external ? check : fileName }], ...guard, [fileName, { ...file, Next: after }]);
    after = readName;
  }
  return out;
}

/**
 * Every marker key a workflow's machines may read (the manifest lists them; infra grants GetObject
 * on exactly these): its own jobs' that declare outputs, and waited-for markers its values read.
 */
export function markerReads(workflow: Workflow): { bucket?: string; keyPattern: string }[] {
  const own = workflow.jobs.filter(hasOutputs).map((j) => ({ keyPattern: markerKeyPattern(workflow.markers.prefix, j.name) }));
  const external = workflow.jobs.flatMap((j) => markersRead(j).map((m) => j.waitsFor.find((w) => w.marker === m)!));
  const all: { bucket?: string; keyPattern: string }[] = [...own, ...external.map((w) => ({ ...(w.bucket !== undefined && { bucket: w.bucket }), keyPattern: markerKeyPattern(w.prefix, w.marker) }))];
  return [...new Map(all.map((m) => [`${m.bucket ?? ''}/${m.keyPattern}`, m])).values()];
}
