/**
 * `npm run bench:ui`: slider move to every chart redrawn, in Chromium against web mode, on the
 * demo clip and on the 60 s reference clip (design.md targets: p95 <= 50 ms). The page itself
 * measures (performance marks from the input event to the frame after the last chart's redraw,
 * renderer/src/perf.ts); this script only drives the slider and prints the numbers. Measured and
 * reported, not asserted. Each move is split into stages (input → request → host: planner and the
 * rest → transport → decode → store → React commit → chart draws → next frame; see perf.ts) and
 * their shares of the total are printed, so a regression can be placed. The 5-minute 7B clip
 * (7,500 audio + 38,400 video tokens) is opened and measured too (OMNIZIP_UI_BENCH_LONG=0 skips it).
 * It also times a cold start: `npm start`'s launcher in web mode, from process start to the demo's
 * charts holding data in an already running Chromium with a tab open (target <= 3 s): server start, then the
 * page's own marks on its clock (script loaded, script evaluated = init, plotly's lazily loaded
 * chunk evaluated, clip opened, clip data, first plan, first draw), and the server's own marks on
 * its clock (core/server/startup-marks.ts: page and scripts served, demo prepared, calls answered).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from '@playwright/test';
import type { StageSample } from '../renderer/src/perf.js';
import { ensureBenchClip } from './long-clip-file.js';
import { startWebMode } from '../core/server/start.js';
import { parseStartupMarks } from '../core/server/startup-marks.js';
import { CHROMIUM_ARGS } from '../playwright.config.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MOVES = Number(process.env.OMNIZIP_UI_BENCH_MOVES ?? 60);
const LONG_CLIP = process.env.OMNIZIP_UI_BENCH_LONG !== '0';
/**
 * The pause between a clip's being complete (first draw, and its speech curve when that comes
 * later) and the first slider move: a user looks at a clip before moving a slider, and the studio
 * rehearses its redraw in that idle time (renderer/src/redraw-rehearsal.ts). 0 measures moves that
 * start the moment the clip is complete; the first ten moves are printed on their own either way,
 * so a slower cold redraw path still shows.
 */
const SETTLE_MS = Number(process.env.OMNIZIP_UI_BENCH_SETTLE_MS ?? 1500);
/** Moves counted as "first" (the redraw path's code may still be compiling). */
const FIRST_MOVES = 10;
const round1 = (x: number) => Math.round(x * 10) / 10;
const load = () => os.loadavg().map((x) => Math.round(x * 100) / 100);
const STAGES: { key: Exclude<keyof StageSample, 'total'>; label: string }[] = [
  { key: 'toRequest', label: 'input -> request sent' },
  { key: 'planner', label: 'host: planner' },
  { key: 'hostOther', label: 'host: rest (config, plan view, checks, encode)' },
  { key: 'transport', label: 'transport (call socket round trip minus host)' },
  { key: 'decode', label: 'response decode + contract check' },
  { key: 'store', label: 'data cache + store update' },
  { key: 'react', label: 'React render to commit' },
  { key: 'draw', label: 'chart draws (plotly / canvas)' },
  { key: 'frame', label: 'to the next animation frame' },
];
/** Printed under the stages, not part of their total: the frame's own rendering after its animation frame callbacks. */
const AFTER_FRAME = { key: 'afterFrame', label: "+ that frame's style, layout, paint (after the clock)" } as const;

/** Per stage: median, p95 and share of the summed total (the shares add up to 100%). */
function stageTable(stages: StageSample[]) {
  const total = stages.reduce((a, x) => a + x.total, 0);
  const row = (key: keyof StageSample, shared: boolean) => {
    const v = stages.map((x) => x[key]);
    const share = total > 0 ? Math.round((1000 * v.reduce((a, x) => a + x, 0)) / total) / 10 : 0;
    return { p50: round1(percentile(v, 50)), p95: round1(percentile(v, 95)), ...(shared ? { share } : {}) };
  };
  // Shares of the total for the stages that make it up; the frame's rendering after the clock has none.
  return Object.fromEntries([...STAGES.map(({ key }) => [key, row(key, true)]), [AFTER_FRAME.key, row(AFTER_FRAME.key, false)]]) as Record<string, { p50: number; p95: number; share?: number }>;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function drawnSeq(page: Page): Promise<number> {
  return page.evaluate(() => Math.min(...[...document.querySelectorAll<HTMLElement>('[data-chart]')].map((el) => Number(el.dataset.seq ?? 0))));
}

async function waitDrawn(page: Page, after: number, timeoutMs: number): Promise<void> {
  await page.waitForFunction((n) => {
    const charts = [...document.querySelectorAll<HTMLElement>('[data-chart]')];
    return charts.length >= 3 && Math.min(...charts.map((el) => Number(el.dataset.seq ?? 0))) > n;
  }, after, { timeout: timeoutMs, polling: 5 });
}

async function measure(page: Page, url: string, label: string) {
  const opened = performance.now();
  await page.goto(url);
  await waitDrawn(page, 0, 600_000);
  const openMs = performance.now() - opened;
  // A clip that opened before its speech reference was done gets its speech curve a little later
  // (a timeline redraw: ~270 ms on the 300-s clip); the clip is complete once it has.
  const speechFrom = performance.now();
  await page.waitForFunction(() => performance.getEntriesByName('omz:speech-settled').length >= performance.getEntriesByName('omz:speech-pending').length, undefined, { timeout: 120_000, polling: 20 });
  const speechMs = performance.now() - speechFrom;
  await page.waitForTimeout(SETTLE_MS);
  const rehearsals = await page.evaluate(() => performance.getEntriesByName('omz:redraw-rehearsal').length);
  const loadBefore = load();
  await page.evaluate(() => {
    if (window.__omzPerf) {
      window.__omzPerf.samples.length = 0;
      window.__omzPerf.painted.length = 0;
      window.__omzPerf.stages.length = 0;
      window.__omzPerf.planMs.length = 0;
      window.__omzPerf.chartSync = {};
    }
  });
  const movedKeys: string[] = [];
  for (let i = 0; i < MOVES; i++) {
    const key = i % 3 === 2 ? 'rho_audio' : 'rho_video';
    const value = key === 'rho_video' ? (0.5 + 0.02 * (i % 12)).toFixed(2) : (0.2 + 0.05 * (i % 6)).toFixed(2);
    const before = await drawnSeq(page);
    const current = await page.getByTestId(`slider-${key}`).inputValue();
    if (Number(current) === Number(value)) continue;
    movedKeys.push(key);
    await page.getByTestId(`slider-${key}`).fill(value);
    await waitDrawn(page, before, 30_000);
    // The move's sample is taken in the next animation frame, its painted figure once that frame is rendered.
    await page.waitForFunction((n) => (window.__omzPerf?.painted.length ?? 0) >= n, movedKeys.length, { timeout: 30_000, polling: 5 });
    await page.waitForTimeout(20);
  }
  const perf = await page.evaluate(() => window.__omzPerf ?? { samples: [], painted: [], stages: [], planMs: [], chartSync: {} });
  // In-run reference for the transport stage: the page's round trip of the smallest call (app.info,
  // an empty params frame), 30 times, less the host's Server-Timing.
  const emptyCallMs = (await page.evaluate(`(async () => {
    const token = new URLSearchParams(location.search).get('token') ?? '';
    const json = new TextEncoder().encode('{}');
    const frame = new Uint8Array(8 + 8);
    frame.set([0x4f, 0x4d, 0x5a, 0x31]);
    new DataView(frame.buffer).setUint32(4, json.length, true);
    frame.set(json, 8);
    const out = [];
    for (let i = 0; i < 30; i++) {
      const t = performance.now();
      const r = await fetch('/api/call/app.info', { method: 'POST', headers: { 'Content-Type': 'application/octet-stream', 'x-omnizip-token': token }, body: frame });
      const host = Number(/call;dur=([0-9.]+)/.exec(r.headers.get('server-timing') ?? '')?.[1] ?? 0);
      await r.arrayBuffer();
      out.push(performance.now() - t - host);
    }
    return out;
  })()`)) as number[];
  // Second in-run reference: the same empty call over a WebSocket of its own, on the now idle page
  // (the call socket's floor). The slider's transport stage above it is time the network threads
  // and the host wait for a CPU while the page renders the input's own frame.
  const emptySocketMs = (await page.evaluate(`(async () => {
    const token = new URLSearchParams(location.search).get('token') ?? '';
    const ws = new WebSocket('ws://' + location.host + '/api/socket?token=' + encodeURIComponent(token));
    ws.binaryType = 'arraybuffer';
    await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
    const method = new TextEncoder().encode('app.info');
    const message = new Uint8Array(8 + method.length + 16);
    const view = new DataView(message.buffer);
    view.setUint32(0, 1, true);
    view.setUint32(4, method.length, true);
    message.set(method, 8);
    message.set([0x4f, 0x4d, 0x5a, 0x31], 8 + method.length);
    view.setUint32(12 + method.length, 2, true);
    message.set(new TextEncoder().encode('{}'), 16 + method.length);
    const out = [];
    for (let i = 0; i < 30; i++) {
      const t = performance.now();
      ws.send(message);
      const reply = await new Promise((resolve) => { ws.onmessage = (e) => resolve(e.data); });
      const host = new DataView(reply).getFloat64(8, true) + new DataView(reply).getFloat64(16, true);
      out.push(performance.now() - t - host);
    }
    ws.close();
    return out;
  })()`)) as number[];
  // Synchronous part of each chart's Plotly.react (they run back to back after each replan).
  const chartP50 = Object.fromEntries(Object.entries(perf.chartSync ?? {}).map(([k, v]) => [k, Math.round(percentile(v.slice(-MOVES), 50) * 10) / 10]));
  const clip = await page.getByTestId('clip-name').innerText();
  // Per slider (one sample per move, in order): a rho_audio move redraws the audio marks and merge
  // links too, a rho_video move only the video bars, so the two read differently.
  const bySlider =
    perf.samples.length === movedKeys.length
      ? Object.fromEntries(
          [...new Set(movedKeys)].map((key) => {
            const own = perf.samples.filter((_, k) => movedKeys[k] === key);
            return [key, { moves: own.length, p50: round1(percentile(own, 50)), p95: round1(percentile(own, 95)) }];
          }),
        )
      : null;
  return {
    bySlider,
    label,
    clip,
    openMs: Math.round(openMs),
    moves: perf.samples.length,
    p50: percentile(perf.samples, 50),
    p95: percentile(perf.samples, 95),
    max: Math.max(...perf.samples),
    /** Input to that frame's main-thread rendering done (style, layout, paint); raster and compositing follow. */
    painted: { p50: round1(percentile(perf.painted, 50)), p95: round1(percentile(perf.painted, 95)), max: round1(Math.max(...perf.painted)) },
    rehearsals,
    speechMs: Math.round(speechMs),
    first: { p50: round1(percentile(perf.samples.slice(0, FIRST_MOVES), 50)), max: round1(Math.max(...perf.samples.slice(0, FIRST_MOVES))) },
    later: { p50: round1(percentile(perf.samples.slice(FIRST_MOVES), 50)), p95: round1(percentile(perf.samples.slice(FIRST_MOVES), 95)) },
    planMsMedian: percentile(perf.planMs, 50),
    chartP50,
    /** How many times each chart drew during the moves (a plain name: plotly redraws). */
    chartRuns: Object.fromEntries(Object.entries(perf.chartSync ?? {}).map(([k, v]) => [k, v.length])),
    stages: stageTable(perf.stages),
    emptyCallMs: { p50: round1(percentile(emptyCallMs, 50)), p95: round1(percentile(emptyCallMs, 95)) },
    emptySocketMs: { p50: round1(percentile(emptySocketMs, 50)), p95: round1(percentile(emptySocketMs, 95)) },
    stageSamples: perf.stages.length,
    loadAverage: { before: loadBefore, after: load() },
  };
}

/**
 * `npm start -- --web` (bin/start.mjs, the compiled launcher) from spawn to the demo drawn: to the URL line (server up), then page
 * load, analysis and first draw. `cacheDir` holds the analysis cache and provider-probe memo:
 * empty for a cold start, reused for a warm one.
 */
async function startToInteractive(browser: Browser, cacheDir: string, home: string) {
  // The tab is open before the clock starts, as a user's browser tab is: creating one through
  // Playwright (a new context and page) took 0.3-1.2 s on this machine, which is the harness's
  // cost, not the studio's. Timed and printed on its own; until session 5 it was inside the total.
  const tabStarted = performance.now();
  const page = await browser.newPage({ viewport: { width: 1600, height: 1300 } });
  const tabMs = performance.now() - tabStarted;
  const started = performance.now();
  // `npm start -- --web` as a user runs it: the compiled launcher (dist/launch.mjs), not a
  // TypeScript loader compiling electron/launch.ts at start (~0.3 s more to the URL line).
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'start.mjs'), '--web'], {
    cwd: repoRoot,
    env: { ...process.env, OMNIZIP_CACHE_DIR: cacheDir, OMNIZIP_STUDIO_HOME: home, OMNIZIP_STARTUP_MARKS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let log = '';
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the launcher printed no URL within 120 s: ${log}`)), 120_000);
      child.stdout.on('data', (d: Buffer) => {
        log += d.toString();
        const m = /^Studio: (\S+)$/m.exec(log);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      child.once('exit', (code) => reject(new Error(`the launcher exited with ${code}: ${log}`)));
    });
    const serverMs = performance.now() - started;
    const navigating = performance.now();
    await page.goto(url);
    await waitDrawn(page, 0, 120_000);
    const interactiveMs = performance.now() - started;
    // Page-side marks, ms from the page's time origin (navigation start).
    // A string, not a function: the TypeScript loader would wrap named helpers in a function the page lacks.
    const marks = (await page.evaluate(`(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      const scripts = performance.getEntriesByType('resource').filter((e) => /\\.js(\\?|$)/.test(e.name));
      const mark = (name) => performance.getEntriesByName(name, 'mark')[0]?.startTime ?? NaN;
      return {
        html: nav ? nav.responseEnd : NaN,
        scripts: scripts.length ? Math.max(...scripts.map((e) => e.responseEnd)) : NaN,
        scriptBytes: scripts.reduce((a, e) => a + (e.encodedBodySize || 0), 0),
        init: mark('omz:init'),
        plotly: mark('omz:plotly-loaded'),
        opened: mark('omz:clip-opened'),
        data: mark('omz:clip-data'),
        planned: mark('omz:first-plan'),
      };
    })()`)) as Record<'html' | 'scripts' | 'scriptBytes' | 'init' | 'plotly' | 'opened' | 'data' | 'planned', number>;
    // Points on the page's clock (from navigation start); `drawn` is when the check saw every chart drawn.
    const stages = {
      server: serverMs,
      pageOpen: navigating - started - serverMs,
      html: marks.html,
      init: marks.init,
      scriptsLoaded: marks.scripts,
      plotlyLoaded: marks.plotly,
      clipOpened: marks.opened,
      clipData: marks.data,
      firstPlan: marks.planned,
      drawn: interactiveMs - (navigating - started),
    };
    // The server's own marks (core/server/startup-marks.ts), ms since its process started, which is
    // within a few ms of the spawn: the page's clock starts `navigating - started` ms later.
    await new Promise((resolve) => setTimeout(resolve, 50)); // the last stderr lines
    const serverMarks = parseStartupMarks(log).map(({ ms, what }) => ({ ms: Math.round(ms), what: what.replace(/^served \/assets\//, 'served ') }));
    return {
      serverMarks,
      pageStartsAt: Math.round(navigating - started),
      serverMs: Math.round(serverMs),
      interactiveMs: Math.round(interactiveMs),
      tabMs: Math.round(tabMs),
      scriptKB: Math.round(marks.scriptBytes / 1024),
      stages: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, Math.round(v)])),
      rebuilt: /building the renderer bundle/.test(log),
    };
  } finally {
    // The next start is timed on a machine this one has left: its shutdown (the compute worker, a
    // deferred cache write) and the page's work after the first draw no longer overlap it.
    await page.close();
    const exited = new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
    child.kill('SIGTERM');
    const forced = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(forced);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const referenceFile = await ensureBenchClip(60);
const longFile = LONG_CLIP ? await ensureBenchClip(300) : null;
const loadAtStart = load();

const browser = await chromium.launch({ executablePath: process.env.OMNIZIP_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
// The slider measurements' own server starts after the start-up runs: its demo analysis, provider
// probes and compute worker would otherwise share the 2 cores with the first start being timed.
let server: Awaited<ReturnType<typeof startWebMode>> | null = null;
try {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'omz-bench-start-'));
  let startup;
  try {
    const cacheDir = path.join(scratch, 'cache');
    const cold = await startToInteractive(browser, cacheDir, path.join(scratch, 'home'));
    const warm = await startToInteractive(browser, cacheDir, path.join(scratch, 'home'));
    const warm2 = await startToInteractive(browser, cacheDir, path.join(scratch, 'home'));
    startup = { cold, warm, 'warm again': warm2 };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  server = await startWebMode({ appRoot: repoRoot });
  const page = await browser.newPage({ viewport: { width: 1600, height: 1300 } });
  const results = [await measure(page, server.url, 'demo'), await measure(page, `${server.url}&open=${encodeURIComponent(referenceFile)}`, 'reference 60 s')];
  if (longFile) results.push(await measure(page, `${server.url}&open=${encodeURIComponent(longFile)}`, '7B 300 s'));
  console.log(`\nslider move -> every chart redrawn (Chromium, web mode; target p95 <= 50 ms; shared machine, load average at start ${loadAtStart.join(' ')})`);
  for (const r of results) {
    console.log(
      `  ${r.label.padEnd(15)} ${String(r.moves).padStart(3)} moves  p50 ${r.p50.toFixed(1)} ms  p95 ${r.p95.toFixed(1)} ms  max ${r.max.toFixed(1)} ms  (replan median ${r.planMsMedian.toFixed(2)} ms; open+analyse+first draw ${r.openMs} ms)  [${r.clip}]\n` +
        `${' '.repeat(18)}p50 / replan ${(r.p50 / r.planMsMedian).toFixed(1)}x, p95 / replan ${(r.p95 / r.planMsMedian).toFixed(1)}x (same run: the machine's speed cancels out); load average ${r.loadAverage.before.join(' ')} -> ${r.loadAverage.after.join(' ')}\n` +
        `${' '.repeat(18)}moves start ${SETTLE_MS} ms after the clip is complete (its speech curve came ${r.speechMs} ms after the first draw; ${r.rehearsals} redraw rehearsals ran); first ${FIRST_MOVES} moves p50 ${r.first.p50} / max ${r.first.max} ms, later moves p50 ${r.later.p50} / p95 ${r.later.p95} ms\n` +
        `${' '.repeat(18)}to that frame's main-thread rendering done (style, layout, paint; after the clock above): p50 ${r.painted.p50} / p95 ${r.painted.p95} / max ${r.painted.max} ms\n` +
        (r.bySlider ? `${' '.repeat(18)}per slider: ${Object.entries(r.bySlider).map(([key, s]) => `${key} ${s.moves} moves p50 ${s.p50} / p95 ${s.p95} ms`).join('; ')}\n` : '') +
        `${' '.repeat(18)}synchronous draw per chart, p50 (ms; "(canvas)" = per-plan overlay repaint, "(relayout)" = Plotly.relayout when only y axes changed, plain = Plotly.react when the static figure changed): ${JSON.stringify(r.chartP50)}; draws per chart ${JSON.stringify(r.chartRuns)}\n` +
        `${' '.repeat(18)}stages over ${r.stageSamples} moves (p50 / p95 ms, share of the total; in-run references, an empty call's round trip minus the host on the idle page: by fetch p50 ${r.emptyCallMs.p50} / p95 ${r.emptyCallMs.p95} ms, by WebSocket p50 ${r.emptySocketMs.p50} / p95 ${r.emptySocketMs.p95} ms):`,
    );
    for (const { key, label } of STAGES) {
      const st = r.stages[key];
      console.log(`${' '.repeat(20)}${label.padEnd(48)} ${st.p50.toFixed(1).padStart(6)} / ${st.p95.toFixed(1).padStart(6)}  ${(st.share ?? 0).toFixed(1).padStart(5)}%`);
    }
    const after = r.stages[AFTER_FRAME.key];
    console.log(`${' '.repeat(20)}${AFTER_FRAME.label.padEnd(48)} ${after.p50.toFixed(1).padStart(6)} / ${after.p95.toFixed(1).padStart(6)}`);
  }
  console.log('\nnpm start (web mode) -> the demo drawn in Chromium (target <= 3 s; the browser is already running, with a tab open)');
  for (const [label, r] of Object.entries(startup)) {
    console.log(`  ${`${label} caches`.padEnd(17)} ${r.interactiveMs} ms  (server up after ${r.serverMs} ms, then page + analysis + first draw${r.rebuilt ? '; included a renderer rebuild' : ''}; ${r.scriptKB} KB of script; the tab, opened before the clock, took Playwright ${r.tabMs} ms more)`);
    const { server, pageOpen, ...page } = r.stages;
    const points = Object.entries(page).filter(([, v]) => Number.isFinite(v));
    console.log(`${' '.repeat(20)}server up ${server} ms, page opened ${pageOpen} ms later; then on the page's clock (ms): ${points.map(([k, v]) => `${k} ${v}`).join(', ')}`);
    console.log(`${' '.repeat(20)}on the server's clock (ms from its start; the page's clock starts at ${r.pageStartsAt}): ${r.serverMarks.map((m) => `${m.what} ${m.ms}`).join(', ')}`);
  }
  console.log(`\nload average at the end ${load().join(' ')} (at the start ${loadAtStart.join(' ')}; ${os.cpus().length} CPUs, shared machine)`);
  await mkdir(path.join(repoRoot, 'bench-results'), { recursive: true });
  await writeFile(path.join(repoRoot, 'bench-results', 'ui.json'), `${JSON.stringify({ measuredAt: new Date().toISOString(), loadAverage: { start: loadAtStart, end: load() }, startup, results }, null, 1)}\n`);
} finally {
  await browser.close();
  await server?.close();
}
