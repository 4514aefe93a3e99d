#!/usr/bin/env node
// The CLI is TypeScript run through tsx's loader, so `npx stepgraph` needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('../generator/cli/main.ts');
