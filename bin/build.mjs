#!/usr/bin/env node
// Builds the CLI: an esbuild bundle of generator/cli/main.ts, one chunk per command (each loaded
// when it runs), packages left to node_modules (the local engine is patched as it loads and must
// be the installed file). `npm ci` runs this through `prepare`; bin/stepgraph.mjs runs it again
// when a source file is newer than the build.
//
// Each build goes to its own folder, dist/<id>/, and dist/current.json names the newest: a
// process still running an older build (tests spawn the CLI in parallel) never sees its files
// replaced or removed under it. `node bin/build.mjs` (prepare) also removes older builds.
import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const distDir = join(root, 'dist');

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
    packages: 'external',
    outExtension: { '.js': '.mjs' },
    metafile: true,
    logLevel: 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs).filter((f) => !f.startsWith('node_modules/')).sort();
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
