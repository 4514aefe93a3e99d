#!/usr/bin/env node
// The CLI ships built (bin/build.mjs: one bundle, each command loaded when it runs), so a call
// starts in about the time Node itself takes. When a source file is newer than the build (a
// checkout being worked on), it is rebuilt first, which takes a fraction of a second.
import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function currentBuild() {
  let current;
  try {
    current = JSON.parse(readFileSync(join(root, 'dist', 'current.json'), 'utf8'));
  } catch {
    return { entry: undefined, stale: true };
  }
  const entry = join(root, 'dist', current.dir, 'cli.mjs');
  for (const input of current.inputs) {
    let mtime;
    try {
      mtime = statSync(join(root, input)).mtimeMs;
    } catch {
      return { entry, stale: true }; // a source file went away
    }
    if (mtime > current.builtAt) return { entry, stale: true };
  }
  return { entry, stale: false };
}

async function entryFile() {
  const { entry, stale } = currentBuild();
  if (!stale) return entry;
  try {
    const { build } = await import('./build.mjs');
    return await build();
  } catch (error) {
    // No esbuild here (installed without dev tools): an existing build still runs.
    if (entry) return entry;
    console.error(`stepgraph: the CLI is not built and cannot be built here (${error.message}); run 'npm ci' in ${root}`);
    process.exit(2);
  }
}

const { main } = await import(pathToFileURL(await entryFile()).href);
process.exitCode = await main(process.argv.slice(2));
