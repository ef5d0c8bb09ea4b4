import { describe, expect, it } from 'vitest';
import { metricDirection, metricLabel } from './registry.js';

describe('metric directions', () => {
  it("are the registry's own for built-in metrics and follow the name's suffix for eval_command's", () => {
    expect(metricDirection('kept_fraction')).toBe('minimize');
    expect(metricDirection('video_coverage')).toBe('maximize');
    expect(metricDirection('eval.accuracy')).toBe('maximize');
    expect(metricDirection('eval.val_loss')).toBe('minimize');
    expect(metricDirection('eval.latency_ms')).toBe('minimize');
    expect(metricLabel('eval.accuracy')).toBe('accuracy (eval_command)');
  });

  it("gives a direction, not an Object.prototype member, for an external metric named like one", () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) expect(metricDirection(`eval.${name}`)).toBe('maximize');
  });
});
