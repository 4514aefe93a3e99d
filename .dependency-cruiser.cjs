// The layers of stepgraph as rules (docs/architecture.md, "Layers"): `npm test` fails when an
// import breaks one. Paths are relative to the repository root.

// The compiler's phases, each with the sweep files that belong to it.
const SOURCE = '^generator/(source|source-aliases|source-includes)[.]ts$';
const CHECK = '^generator/check/|^generator/sweep/(check|fields|expand|items-check|templates-check|source|job)[.]ts$';
const MODEL = '^generator/(sweep/)?model[.]ts$';
const PLAN = '^generator/plan/|^generator/sweep/plan[.]ts$';
// Pure helpers of sweeps that check, plan and emit share (templates, EC2 launch fields, boot script).
const SWEEP_SHARED = '^generator/sweep/(ec2|userdata|template)[.]ts$';
const EMIT = '^generator/emit/|^generator/sweep/manifest[.]ts$';
// What runs the phases (compile.ts for every file, sweep/compile.ts for one sweep file).
const DRIVER = '^generator/(sweep/)?compile[.]ts$';
// Runtimes and tools around the compiler.
const RUNTIME = '^generator/(local|ops|cli|render)/|^generator/sweep/(local|local-waits|simulate|dryrun|estimate|prices)[.]ts$|^generator/sweep/ops/';
const KINDS = '^generator/kinds/';
const CONTRACT = '^generator/contract/';
const FS = '^(node:)?fs(/promises)?$';

const forbid = (name, comment, from, to) => ({ name, comment, severity: 'error', from, to });

module.exports = {
  forbidden: [
    forbid(
      'no-circular',
      'No import cycle. Type-only imports are left out (they vanish when compiled).',
      {},
      { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    ),
    forbid('not-to-unresolvable', 'An import that resolves to nothing.', {}, { couldNotResolve: true }),

    // The runtime contract is imported by everyone and imports nobody.
    forbid('contract-stands-alone', 'generator/contract/ imports only generator/contract/: no package, no Node module, no other layer.', { path: CONTRACT }, { pathNot: CONTRACT }),
    forbid(
      'handlers-import-the-contract',
      'A Lambda handler imports its own folder, packages and the runtime contract, nothing of the compiler.',
      { path: '^handlers/' },
      { path: '^(generator|infra|bench|bin|test)/', pathNot: CONTRACT },
    ),

    // Phase order: a phase never reaches forward.
    forbid('source-is-first', 'The source phase reads text and files; it knows no later phase.', { path: SOURCE }, { path: [CHECK, MODEL, PLAN, EMIT, DRIVER, RUNTIME, KINDS] }),
    forbid('check-before-plan', 'check reads YAML into the model; it knows neither plan nor emit.', { path: CHECK }, { path: [PLAN, EMIT, DRIVER, RUNTIME] }),
    forbid('model-is-data', 'The model knows no phase: not YAML (source, check), not plans, not ASL.', { path: MODEL }, { path: [SOURCE, CHECK, PLAN, EMIT, DRIVER, RUNTIME] }),
    forbid('model-names-kinds-as-types', "The model holds each job's kind as its module's type; it calls no kind.", { path: MODEL }, { path: KINDS, dependencyTypesNot: ['type-only'] }),
    forbid('plan-before-emit', 'plan works on the model; it neither reads YAML nor renders ASL.', { path: PLAN }, { path: [SOURCE, CHECK, EMIT, DRIVER, RUNTIME, KINDS] }),
    forbid('emit-renders-the-plan', 'emit renders the plan it is given: it does not read or check YAML, nor call a runtime.', { path: EMIT }, { path: [SOURCE, CHECK, DRIVER, RUNTIME] }),
    forbid('sweep-helpers-are-shared', 'The sweep helpers every phase uses import only the model (and each other).', { path: SWEEP_SHARED }, { path: [SOURCE, CHECK, PLAN, EMIT, DRIVER, RUNTIME, KINDS] }),
    forbid(
      'files-are-read-in-the-source-phase',
      'Only the drivers (compile.ts, sweep/compile.ts), runtimes and tools read files; the phases work on the text they are given (source-includes.ts).',
      { path: [SOURCE, CHECK, MODEL, PLAN, EMIT, SWEEP_SHARED, KINDS, CONTRACT] },
      { path: FS },
    ),

    // The CLI is the top: nothing under it imports it.
    forbid('nothing-imports-the-cli', 'Only the CLI imports generator/cli/ (errors live in generator/errors.ts, terminal output in generator/terminal/).', { path: '^(generator|handlers|infra)/', pathNot: '^generator/cli/' }, { path: '^generator/cli/' }),
    forbid('local-is-not-ops', 'The local engine does not use the operations on deployed workflows (dates are in generator/dates.ts).', { path: '^generator/local/' }, { path: '^generator/ops/' }),
    forbid('neutral-modules-stay-neutral', 'errors, messages, diagnostics, shell, dates and terminal output import no phase or runtime.', { path: '^generator/(errors|messages|diagnostics|shell|dates)[.]ts$|^generator/terminal/' }, { path: [SOURCE, CHECK, MODEL, PLAN, EMIT, DRIVER, RUNTIME, KINDS] }),

    // infra deploys what the compiler produced: manifests, definitions and the contract.
    forbid(
      'infra-reads-manifests',
      'infra imports the contract, the manifests (emit/manifest-types.ts, emit/manifest.ts, sweep/manifest.ts), the deploy budget (emit/deploy-limits.ts), the compile driver and its diagnostics (the app compiles the workflows it deploys), the model as types, and the job kinds; no check, plan or runtime internals.',
      { path: '^infra/' },
      {
        path: '^generator/',
        pathNot: [CONTRACT, KINDS, '^generator/emit/(manifest-types|manifest|deploy-limits)[.]ts$', '^generator/sweep/(manifest|compile)[.]ts$', '^generator/(compile|diagnostics|model)[.]ts$'],
      },
    ),

    // Job kinds (generator/kinds/, one module per kind) sit beside the phases.
    forbid(
      'kinds-use-shared-pieces',
      'A job kind imports the contract, errors, the model, messages, the YAML reader and value checks, and the wait and state-name helpers of emit.',
      { path: KINDS },
      {
        path: '^(generator|handlers|infra)/',
        // The sweep kind reads its YAML with the sweep's own checker (sweep/job.ts).
        pathNot: [KINDS, CONTRACT, '^generator/(errors|model|messages|diagnostics)[.]ts$', '^generator/check/(reader|values|data|options)[.]ts$', '^generator/emit/(waits|names)[.]ts$', '^generator/sweep/job[.]ts$'],
      },
    ),
    forbid(
      'kinds-are-used-by-phases',
      'check, emit, local, sweep, ops and infra use the job kinds; the plan, the source phase and the handlers do not (the model names their types only).',
      { path: '^(generator|handlers|infra)/', pathNot: ['^generator/(check|emit|local|sweep|kinds|ops)/', '^infra/', MODEL] },
      { path: KINDS },
    ),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
