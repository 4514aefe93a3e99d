// Handler settings come from environment variables that WorkflowStack sets; a missing one is a
// deployment bug, reported by name rather than as an `undefined` somewhere later.
import { ConfigurationError } from './errors.ts';
import type { Partition } from '../generator/contract/dates.ts';

export function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (value === undefined || value === '') throw new ConfigurationError(`environment variable ${name} is not set`);
  return value;
}

export function partition(env: NodeJS.ProcessEnv, name = 'PARTITION'): Partition {
  const value = required(env, name);
  if (value !== 'daily' && value !== 'hourly') throw new ConfigurationError(`${name} is '${value}', not 'daily' or 'hourly'`);
  return value;
}

/** A comma-separated list (names never contain commas). */
export const list = (env: NodeJS.ProcessEnv, name: string): string[] =>
  required(env, name)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
