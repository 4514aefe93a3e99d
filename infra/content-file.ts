// Text that CDK must read from a file (an asset): written once under the system's temp folder,
// named by its content, so synthesizing twice reuses the file and the asset hash is stable.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function contentFile(folder: string, text: string, suffix: string): string {
  const dir = join(tmpdir(), folder);
  const file = join(dir, `${createHash('sha256').update(text).digest('hex').slice(0, 32)}${suffix}`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    // Written aside and renamed: parallel synths (test workers) never read half a file.
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, text);
    renameSync(temp, file);
  }
  return file;
}
