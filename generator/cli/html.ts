// `--html FILE` of simulate and run --local: the report page, written whole or not at all.
import { resolve } from 'node:path';
import { renderHtmlReport } from '../local/html.ts';
import type { RunReport } from '../local/summary.ts';
import type { Workflow } from '../model.ts';
import { writeFileAtomic } from './files.ts';

export function writeHtmlReport(file: string, report: RunReport, workflow: Workflow): void {
  writeFileAtomic(file, renderHtmlReport(report, workflow));
  console.error(`report: ${resolve(file)}`);
}
