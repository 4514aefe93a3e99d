#!/usr/bin/env node
// Builds the CLI: an esbuild bundle of generator/cli/main.ts, one chunk per command (each loaded
// when it runs), packages left to node_modules (the local engine is patched as it loads and must
// be the installed file). `npm ci` runs this through `prepare`; bin/stepgraph.mjs runs it again
// when a source file is newer than the build.
//
// Each build goes to its own folder, dist/<id>/, and dist/current.json names the newest: a
// process still running an older build (tests spawn the CLI in parallel) never sees its files
// replaced or removed under it. `node bin/build.mjs` (prepare) also removes older builds.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const distDir = join(root, 'dist');

/** Every package the project names but yaml, as esbuild externals (the package and its subpaths). */
function externalPackages() {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const names = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((name) => !BUNDLED.includes(name));
  return names.flatMap((name) => [name, `${name}/*`]);
}

/** Pure JavaScript packages the CLI's start-up time depends on; nothing patches them as they load. */
const BUNDLED = ['yaml'];

/** Builds into a new dist/<id>/ and points dist/current.json at it; returns the entry file. */
export async function build({ prune = false } = {}) {
  const { build: esbuild } = await import('esbuild');
  const id = `${Date.now().toString(36)}-${process.pid}`;
  const builtAt = Date.now();
  const outdir = join(distDir, id);
  const result = await esbuild({
    absWorkingDir: root,
    entryPoints: { cli: 'generator/cli/main.ts' },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Packages stay in node_modules, but for yaml: bundled as ESM with the compiler, it loads in a
    // fraction of the time its CommonJS files take to resolve and load one by one, on every command.
    external: externalPackages(),
    // yaml's Node build is CommonJS and requires Node's 'process': ESM chunks get a real require.
    banner: { js: "import { createRequire as __stepgraphRequire } from 'node:module'; const require = __stepgraphRequire(import.meta.url);" },
    outExtension: { '.js': '.mjs' },
    metafile: true,
    logLevel: 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.startsWith('node_modules/')).sort();
  const strays = Object.keys(result.metafile.inputs).filter((f) => f.startsWith('node_modules/') && !BUNDLED.some((name) => f.startsWith(`node_modules/${name}/`)));
  if (strays.length > 0) throw new Error(`the CLI bundle took in packages it should leave in node_modules (add them to package.json): ${strays.slice(0, 5).join(', ')}`);
  const current = { dir: id, builtAt, inputs };
  const temp = join(distDir, `current.json.${process.pid}.tmp`);
  writeFileSync(temp, `${JSON.stringify(current, null, 2)}\n`);
  renameSync(temp, join(distDir, 'current.json'));
  if (prune) {
    for (const entry of readdirSync(distDir)) if (entry !== id && entry !== 'current.json') rmSync(join(distDir, entry), { recursive: true, force: true });
  }
  return join(outdir, 'cli.mjs');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  mkdirSync(distDir, { recursive: true });
  const entry = await build({ prune: true });
  console.error(`built the CLI: ${relative(root, entry)}`);
}
