import { describe, expect, it } from 'vitest';
import { analyzeReference } from '../analysis/reference.js';
import { readBundle } from '../bundle/reader.js';
import { resolveConfig } from '../config/validate.js';
import { goldenAvailable, goldenBundlePath, goldenCaseNames, readGoldenAnchors, readGoldenExpected } from '../../test-support/golden.js';
import { describeWithGolden } from '../../test-support/golden-vitest.js';
import { toPlanDocument } from './document.js';
import { planClip, requiredFrameGeometries } from './plan.js';
import { mergedAnchorRows } from './sequence.js';

/**
 * Parity with the official implementation: every golden case must come out exactly as the
 * official code produced it (shared/golden/README.md), tie-sensitive cases on their tie-free checks.
 */

const RATIO_TOLERANCE = 1e-9;
const ANCHOR_TOLERANCE = 1e-5;

function expectClose(actual: number | null | undefined, expected: number | null | undefined, what: string): void {
  if (expected === null || expected === undefined) {
    expect(actual ?? null, what).toBeNull();
    return;
  }
  expect(actual, what).not.toBeNull();
  expect(Math.abs((actual as number) - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(RATIO_TOLERANCE);
}

describeWithGolden('golden parity with the official implementation', () => {
  const names = goldenAvailable() ? goldenCaseNames() : [];

  it('finds the 17 golden cases', () => {
    expect(names.length).toBe(17);
  });

  for (const name of names) {
    describe(name, async () => {
      const expected = readGoldenExpected(name);
      const bundle = await readBundle(goldenBundlePath(name));
      const analysis = analyzeReference(bundle, requiredFrameGeometries(bundle));
      const config = resolveConfig(expected.config);
      const plan = planClip(bundle, analysis, config);
      const doc = toPlanDocument(bundle, plan);

      it('has the expected counts', () => {
        expect(doc.counts.audio.total).toBe(expected.counts.audio.total);
        expect(doc.counts.video.total).toBe(expected.counts.video.total);
        expect(doc.counts.sequence.total).toBe(expected.counts.sequence.total);
        if (!expected.tie_sensitive) expect(doc.counts).toEqual(expected.counts);
      });

      if (expected.tie_sensitive) {
        const checks = expected.tie_free_checks!;
        it('passes the tie-free checks', () => {
          expect(doc.audio.dominant_count).toBe(checks.audio_dominant_count);
          expect(doc.counts.audio.kept).toBe(checks.audio_kept_count);
          const kept = new Set(doc.audio.kept);
          for (const i of checks.audio_must_keep) expect(kept.has(i), `audio token ${i} scores above the threshold`).toBe(true);
          expect(doc.groups.map((g) => [g.video_range, g.audio_range])).toEqual(checks.group_ranges);
        });
        return;
      }

      it('keeps the same audio tokens, anchors and merges', () => {
        expect(doc.audio.dominant_count).toBe(expected.audio.dominant_count);
        expect(doc.audio.kept).toEqual(expected.audio.kept);
        expect(doc.audio.anchors).toEqual(expected.audio.anchors);
        expect(doc.audio.merges).toEqual(expected.audio.merges);
      });

      it('keeps the same video tokens and sequence positions', () => {
        expect(doc.video.kept).toEqual(expected.video.kept);
        expect(doc.sequence_kept).toEqual(expected.sequence_kept);
      });

      it('derives the same groups and ratios', () => {
        expect(doc.groups.length).toBe(expected.groups.length);
        expected.groups.forEach((g, i) => {
          const got = doc.groups[i];
          expect(got.video_range, `group ${i} video range`).toEqual(g.video_range);
          expect(got.audio_range, `group ${i} audio range`).toEqual(g.audio_range);
          expect(got.guided, `group ${i} guided`).toBe(g.guided);
          expectClose(got.audio_retention, g.audio_retention, `group ${i} audio_retention`);
          expectClose(got.ratio_initial, g.ratio_initial, `group ${i} ratio_initial`);
          expectClose(got.ratio_final, g.ratio_final, `group ${i} ratio_final`);
          expect(got.frame_keep_counts, `group ${i} frame keep counts`).toEqual(g.frame_keep_counts);
        });
      });

      it('normalises the budget the same way', () => {
        const n = expected.normalization as Record<string, number | number[] | boolean>;
        expect(plan.normalization.ran).toBe(n.ran);
        if (!n.ran) return;
        expect(plan.normalization.min_idx).toBe(n.min_idx);
        expect(plan.normalization.max_idx).toBe(n.max_idx);
        expect(plan.normalization.other_indices).toEqual(n.other_indices);
        expectClose(plan.normalization.base, n.base_guided_discard as number, 'base budget');
        expectClose(plan.normalization.scaling, n.scaling as number, 'scaling');
        if (typeof n.adj_per_token === 'number') expectClose(plan.normalization.adj_per_token, n.adj_per_token, 'additive correction');
      });

      it('merges anchors to the same rows', () => {
        const anchors = readGoldenAnchors(name);
        if (!anchors) {
          expect(plan.audio.merges.every((m) => m.length === 0)).toBe(true);
          return;
        }
        expect(plan.audio.anchors).toEqual(anchors.index);
        const rows = mergedAnchorRows(bundle, plan);
        let worst = 0;
        for (let i = 0; i < rows.length; i++) worst = Math.max(worst, Math.abs(rows[i] - anchors.rows[i]));
        expect(worst).toBeLessThanOrEqual(ANCHOR_TOLERANCE);
      });

      it('matches the official units variant', () => {
        const units = expected.official_units_variant;
        const unitsPlan = toPlanDocument(bundle, planClip(bundle, analysis, resolveConfig({ ...expected.config, variant: 'official-units', num_input_frames: units.num_input_frames })));
        expect(unitsPlan.audio.kept).toEqual(units.audio_kept);
        expect(unitsPlan.video.kept).toEqual(units.video_kept);
      });
    });
  }
});
