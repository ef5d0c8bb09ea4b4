import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveClips } from './clips.js';
import { SweepSpecError } from './errors.js';
import { knownMethodIds } from './methods.js';
import { buildTrials } from './plan.js';
import { samplePoints } from './samplers.js';
import { parseSweepSpecText } from './spec.js';
import { ISSUE_EXAMPLE_SPEC, sweepFixture } from '../../test-support/sweeps.js';

const parse = (text: string) => parseSweepSpecText(text, '/tmp/spec.yaml');
const errorOf = (text: string): string => {
  try {
    parse(text);
  } catch (err) {
    expect(err).toBeInstanceOf(SweepSpecError);
    const message = (err as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    return message;
  }
  throw new Error('expected the spec to be refused');
};

describe('sweep spec', () => {
  it('accepts the issue example unchanged', () => {
    const spec = parse(ISSUE_EXAMPLE_SPEC);
    expect(spec.space.map((d) => d.key)).toEqual(['rho_video', 'g', 'contextual_ratio']);
    // Under grid the range contributes both ends and its middle: 3 x 2 x 3 configurations.
    expect(samplePoints(spec)).toHaveLength(18);
    expect(spec.objectives).toEqual(['kept_fraction', 'video_coverage']);
    expect(spec.methods).toEqual(['omnizip']);
    expect(spec.sampler).toBe('grid');
  });

  it('reads JSON too, and ranges with log and integer', () => {
    const spec = parseSweepSpecText(
      JSON.stringify({ clips: ['x'], space: { contextual_ratio: { low: 0.01, high: 0.1, log: true }, g: { low: 0, high: 15 } }, sampler: 'sobol', trials: 8, objectives: ['kept_fraction'] }),
      '/tmp/s.json',
    );
    expect(spec.space[0]).toMatchObject({ kind: 'range', log: true, integer: false });
    expect(spec.space[1]).toMatchObject({ kind: 'range', integer: true });
  });

  it.each([
    ['an unknown top-level key', 'clips: [x]\nspace: {g: [1]}\nobjectives: [kept_fraction]\nsamplr: grid\n', /samplr: unknown key/],
    ['an unknown config key', 'clips: [x]\nspace: {rho_vdeo: [0.5]}\nobjectives: [kept_fraction]\n', /space\.rho_vdeo: unknown config key/],
    ['a value out of range', 'clips: [x]\nspace: {rho_video: [0.5, 1.5]}\nobjectives: [kept_fraction]\n', /space\.rho_video: .*within \[0, 1\].*1\.5/],
    ['a range bound out of range', 'clips: [x]\nspace: {rho_video: {low: 0.1, high: 2}}\nsampler: random\ntrials: 3\nobjectives: [kept_fraction]\n', /space\.rho_video\.high: must be within/],
    ['an empty space', 'clips: [x]\nspace: {}\nobjectives: [kept_fraction]\n', /space: empty/],
    ['an empty value list', 'clips: [x]\nspace: {g: []}\nobjectives: [kept_fraction]\n', /space\.g: an empty list/],
    ['a bad grid step count', 'clips: [x]\nspace: {g: {low: 0, high: 3, steps: 1}}\nobjectives: [kept_fraction]\n', /space\.g\.steps: must be an integer within \[2, 1000\]/],
    ['random without trials', 'clips: [x]\nspace: {g: [1, 2]}\nsampler: random\nobjectives: [kept_fraction]\n', /trials: sampler random needs trials/],
    ['an unknown metric', 'clips: [x]\nspace: {g: [1]}\nobjectives: [accuracy]\n', /objectives: unknown metric 'accuracy'/],
    ['an eval metric without eval_command', 'clips: [x]\nspace: {g: [1]}\nobjectives: [eval.acc]\n', /eval_command, which the spec does not set/],
    ['an unknown method', 'clips: [x]\nspace: {g: [1]}\nmethods: [omnizip, magic]\nobjectives: [kept_fraction]\n', /methods: unknown method 'magic'/],
    ['a bad base value', 'clips: [x]\nbase: {rho_audio: -1}\nspace: {g: [1]}\nobjectives: [kept_fraction]\n', /base\.rho_audio: .*within/],
    ['a key both fixed and swept', 'clips: [x]\nbase: {g: 1}\nspace: {g: [1]}\nobjectives: [kept_fraction]\n', /space\.g: also fixed in base/],
    ['missing clips', 'space: {g: [1]}\nobjectives: [kept_fraction]\n', /clips: missing/],
    ['a bad slurm key', 'clips: [x]\nspace: {g: [1]}\nobjectives: [kept_fraction]\nslurm: {queue: a}\n', /slurm\.queue: unknown key/],
    ['an unknown FLOPs model', 'clips: [x]\nspace: {g: [1]}\nobjectives: [flops_ratio]\nflops_model: GPT-9\n', /flops_model: unknown model 'GPT-9'/],
  ])('refuses %s with one line naming the key', (_what, text, pattern) => {
    expect(errorOf(text)).toMatch(pattern);
  });

  it('validates methods against the ids the config schema accepts', () => {
    expect(knownMethodIds()).toEqual(expect.arrayContaining(['omnizip', 'uniform', 'random']));
    const spec = parse(`clips: [x]\nspace: {g: [1]}\nmethods: [${knownMethodIds().join(', ')}]\nobjectives: [kept_fraction]\n`);
    expect(spec.methods).toEqual([...knownMethodIds()]);
  });

  it('refuses a glob that matches nothing and a missing file, naming the pattern', async () => {
    const fx = sweepFixture();
    await expect(resolveClips(['clips/*.nothing*'], { baseDir: fx.root, encodedDir: path.join(fx.root, 'enc'), encoders: 'demo' })).rejects.toThrow(/clips: 'clips\/\*\.nothing\*' matches no bundles/);
    await expect(resolveClips(['clips/missing.safetensors'], { baseDir: fx.root, encodedDir: fx.root, encoders: 'demo' })).rejects.toThrow(/clips: 'clips\/missing\.safetensors' does not exist/);
  });

  it('expands folders and globs to the same bundles, each once, with content hashes', async () => {
    const fx = sweepFixture();
    const opts = { baseDir: fx.root, encodedDir: path.join(fx.root, 'enc'), encoders: 'demo' };
    const byFolder = await resolveClips(['clips'], opts);
    const byGlob = await resolveClips(['**/*.safetensors', 'clips/a.safetensors'], opts);
    expect(byFolder.map((c) => path.basename(c.path))).toEqual(['a.safetensors', 'b.safetensors']);
    expect(byGlob).toEqual(byFolder);
    expect(byFolder[0].content_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('evaluates duplicate configurations once', () => {
    // g listed twice and a rho_video equal after resolution: 2 distinct configs of 4 points.
    const spec = parse('clips: [x]\nspace: {g: [3, 3], rho_video: [0.5, 0.50]}\nobjectives: [kept_fraction]\n');
    const clips = [{ path: '/a', content_hash: 'a'.repeat(64) }];
    const { trials, duplicatesSkipped } = buildTrials(spec, clips);
    expect(trials).toHaveLength(1);
    expect(duplicatesSkipped).toBe(3);
  });

  it('keeps trial numbers stable when a spec grows', () => {
    const clips = [{ path: '/a', content_hash: 'a'.repeat(64) }];
    const small = buildTrials(parse('clips: [x]\nspace: {g: [1, 2]}\nobjectives: [kept_fraction]\n'), clips);
    const plan = { trials: small.trials } as Parameters<typeof buildTrials>[2];
    const grown = buildTrials(parse('clips: [x]\nspace: {g: [0, 1, 2]}\nobjectives: [kept_fraction]\n'), clips, plan);
    const numberOf = (g: number) => grown.trials.find((t) => t.config.g === g)!.trial;
    expect([numberOf(1), numberOf(2), numberOf(0)]).toEqual([0, 1, 2]);
  });
});
