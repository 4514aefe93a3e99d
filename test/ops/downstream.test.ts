import { describe, expect, it } from 'vitest';
import { dependentWorkflows } from '../../generator/ops/downstream.ts';
import { workflow } from './support.ts';

const pa = workflow('player-analytics', { purchases: {}, revenue: { needs: ['purchases'] }, bi_import: { needs: ['revenue'] } }, { bucket: 'acme-job-markers' });
const finance = workflow(
  'finance-close',
  { ledger: { waitsFor: ['revenue', 'payments'] }, reconcile: { needs: ['ledger'] }, report: { needs: ['reconcile'] }, audit: {} },
  { bucket: 'acme-job-markers' },
);
const board = workflow('board-pack', { pack: {} }, { bucket: 'acme-job-markers', triggers: [{ type: 'on_markers', markers: ['report'] }] });
const elsewhere = workflow('elsewhere', { copy: { waitsFor: ['revenue'] } }, { bucket: 'other-bucket' });
const unrelated = workflow('unrelated', { x: { waitsFor: ['bi_importer'] } }, { bucket: 'acme-job-markers' });

describe('downstream workflows', () => {
  it('finds the workflows reading the replayed markers, transitively, with what each reruns', () => {
    // WHEN revenue (and so bi_import) is replayed
    const found = dependentWorkflows([pa, finance, board, elsewhere, unrelated], pa, ['revenue', 'bi_import']);

    // THEN finance-close waits for revenue; board-pack is triggered by finance-close's report marker
    expect(found.map((d) => ({ name: d.workflow.name, markers: d.markers, triggered: d.triggered, selection: d.selection, via: d.via }))).toStrictEqual([
      { name: 'finance-close', markers: ['revenue'], triggered: false, selection: ['ledger', 'reconcile', 'report'], via: 'player-analytics' },
      { name: 'board-pack', markers: ['report'], triggered: true, selection: ['pack'], via: 'finance-close' },
    ]);
  });

  it('finds nothing for jobs whose markers nobody reads', () => {
    expect(dependentWorkflows([pa, finance, board], pa, ['purchases'])).toStrictEqual([]);
  });

  it('does not follow a marker of the same name under another prefix', () => {
    const otherPrefix = workflow('other-prefix', { y: { waitsFor: ['revenue'] } }, { bucket: 'acme-job-markers', prefix: 'markers/' });
    expect(dependentWorkflows([pa, otherPrefix], pa, ['revenue'])).toStrictEqual([]);
  });
});

describe('which dependents can start at once', () => {
  it('starts a dependent whose first jobs wait for the rewritten markers, not one that would read old data', () => {
    // GIVEN finance-close's ledger waits for revenue; board-pack is only triggered by report
    const found = dependentWorkflows([pa, finance, board], pa, ['revenue']);

    // THEN
    expect(found.map((d) => [d.workflow.name, d.holdsUntilRewritten, d.from])).toStrictEqual([
      ['finance-close', true, ['ledger']],
      ['board-pack', false, ['pack']],
    ]);
  });
});
