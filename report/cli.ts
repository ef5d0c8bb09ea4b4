/**
 * `omnizip-studio report BUNDLE --config FILE --out report.html [--pdf report.pdf] [--compare FILE]`:
 * the studio's report from the command line. The clip goes through the same session service as
 * the studio (analysis, speech reference, plan, exports), the figures through the same trace
 * builders, the page through the same template.
 */
import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { integerOption, parseArgs, single } from '../core/cli/args.js';
import { configFromArgs } from '../core/cli/config-args.js';
import { UsageError } from '../core/cli/errors.js';
import type { CliCommand } from '../core/cli/commands/index.js';
import { loadConfigFile } from '../core/config/load.js';
import { comparePlans } from '../core/studio/compare.js';
import { createDefaultDeps } from '../core/studio/deps.js';
import { appRoot } from '../core/runtime/entry-points.js';
import { StudioError } from '../core/studio/errors.js';
import { packageVersion } from '../core/studio/paths.js';
import { RecentFiles } from '../core/studio/recent.js';
import { StudioSession } from '../core/studio/session.js';
import { writeFileAtomic } from '../core/util/atomic-write.js';
import { budgetTable, clipFacts, comparisonTable, groupTable, planFigures, type ReportDocument } from './document.js';
import { reportHtml } from './html.js';

const usage = 'report BUNDLE [--config FILE] [--set key=value ...] [--compare FILE] [--frame-patch N] [--provider auto|cpu|webgpu|cuda] --out report.html [--pdf report.pdf]';

/** The plotly bundle the studio draws with, inlined into the report. */
export async function plotlySource(): Promise<string> {
  return readFile(createRequire(import.meta.url).resolve('plotly.js-cartesian-dist-min/plotly-cartesian.min.js'), 'utf8');
}

/** Debian's chromium, or OMNIZIP_CHROMIUM; null where neither exists. */
export async function findChromium(): Promise<string | null> {
  for (const candidate of [process.env.OMNIZIP_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) {
    if (!candidate) continue;
    try {
      await access(candidate);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** Prints an HTML file to PDF with headless Chromium, no network, after the figures are drawn. */
export async function printPdf(chromium: string, htmlFile: string, pdfFile: string): Promise<void> {
  const profile = await mkdtemp(path.join(os.tmpdir(), 'omz-report-chromium-'));
  const tmpPdf = `${pdfFile}.${process.pid}.tmp`;
  try {
    const args = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', `--user-data-dir=${profile}`, '--run-all-compositor-stages-before-draw', '--virtual-time-budget=15000', '--no-pdf-header-footer', `--print-to-pdf=${tmpPdf}`, `file://${path.resolve(htmlFile)}`];
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn(chromium, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-2000)));
      child.once('error', reject);
      child.once('exit', (c) => (c === 0 ? resolve(0) : reject(new Error(`chromium exited with ${c}: ${err.trim().split('\n').pop() ?? ''}`))));
    });
    if (code === 0) {
      const bytes = await readFile(tmpPdf);
      await writeFileAtomic(pdfFile, bytes);
    }
  } finally {
    await rm(tmpPdf, { force: true });
    await rm(profile, { recursive: true, force: true });
  }
}

const decoder = new TextDecoder();

export const reportCommand: CliCommand = {
  name: 'report',
  summary: 'Write a self-contained HTML report (clip, config, flags/env, budgets, every figure, groups, comparison), and a PDF with --pdf where Chromium is available.',
  usage,
  async run(argv) {
    const args = parseArgs(argv, { valued: ['config', 'set', 'compare', 'out', 'pdf', 'provider', 'frame-patch'], boolean: [] }, usage);
    if (args.positionals.length !== 1) throw new UsageError(`expected one bundle (usage: ${usage})`);
    const out = single(args, 'out');
    if (!out) throw new UsageError(`--out report.html is required (usage: ${usage})`);
    // Plain records: the session takes configs as they cross the contract.
    const config: Record<string, unknown> = { ...(await configFromArgs(args)) };
    const compareFile = single(args, 'compare');
    const compareConfig: Record<string, unknown> | null = compareFile ? { ...(await loadConfigFile(compareFile)) } : null;
    const framePatch = integerOption(args, 'frame-patch', 0) ?? 0;
    const bundlePath = path.resolve(args.positionals[0]);

    const state = await mkdtemp(path.join(os.tmpdir(), 'omz-report-'));
    try {
      const session = new StudioSession(createDefaultDeps({ appRoot: appRoot(), version: packageVersion(appRoot()) }), new RecentFiles(path.join(state, 'recent.json')));
      const emit = () => undefined;
      const clip = await session.handle('clip.openPath', { jobId: 'report', path: bundlePath }, emit);
      // The open answers before its speech reference (core/studio/lazy-speech.ts): a report shows the
      // whole clip, so it asks for it (and its note, if the VAD could not run) first, as the page does.
      const notes = clip.speechPending ? (await session.handle('clip.speechReference', { clipId: clip.clipId }, emit)).notes : clip.notes;
      const data = await session.handle('clip.data', { clipId: clip.clipId }, emit);
      const plan = await session.handle('plan.run', { clipId: clip.clipId, config }, emit);
      const text = async (kind: 'config-yaml' | 'flags') => decoder.decode((await session.handle('export.build', { clipId: clip.clipId, config, kind }, emit)).bytes);
      let comparison: ReportDocument['comparison'] = null;
      if (compareConfig) {
        const other = await session.handle('plan.run', { clipId: clip.clipId, config: compareConfig }, emit);
        const labelA = `A (${path.basename(single(args, 'config') ?? 'config')})`;
        const labelB = `B (${path.basename(compareFile as string)})`;
        comparison = { labelA, labelB, table: comparisonTable(labelA, labelB, comparePlans(plan, other)) };
      }
      const doc: ReportDocument = {
        title: `OmniZip report: ${clip.name}`,
        generatedAt: new Date().toISOString(),
        generator: `omnizip-studio ${packageVersion(appRoot())} report (CLI)`,
        clip: { name: clip.name, facts: clipFacts(clip) },
        configYaml: await text('config-yaml'),
        flagsEnv: await text('flags'),
        budget: budgetTable(plan),
        figures: planFigures(clip, data, plan, framePatch),
        groups: groupTable(plan),
        comparison,
        prefill: null,
        notes: [...notes, ...plan.notes],
      };
      await writeFileAtomic(out, reportHtml(doc, await plotlySource()));
      process.stdout.write(`wrote ${out} (${doc.figures.length} figures, ${doc.groups.rows.length} groups)\n`);
      const pdf = single(args, 'pdf');
      if (pdf) {
        const chromium = await findChromium();
        if (!chromium) throw new StudioError('unsupported', `no Chromium found for --pdf (looked for OMNIZIP_CHROMIUM, /usr/bin/chromium); the HTML report ${out} was written`);
        await printPdf(chromium, out, pdf);
        process.stdout.write(`wrote ${pdf}\n`);
      }
      return 0;
    } finally {
      await rm(state, { recursive: true, force: true });
    }
  },
};
