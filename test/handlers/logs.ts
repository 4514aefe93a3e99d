// The handlers log one JSON line per entry (handlers/log.ts); tests read them back as objects.
import { vi } from 'vitest';

export type LogLine = { level: string; message: string; [field: string]: unknown };

/** Captures console.log and console.warn into `into` until vi.restoreAllMocks(). */
export function captureLogs(into: LogLine[]): void {
  const capture = (line: string) => void into.push(JSON.parse(line));
  vi.spyOn(console, 'log').mockImplementation(capture);
  vi.spyOn(console, 'warn').mockImplementation(capture);
}
