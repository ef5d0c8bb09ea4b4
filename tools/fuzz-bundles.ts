/**
 * `npm run fuzz [-- --flips N --budget-s S --golden FILE]`: the bounded bundle fuzz run of issue
 * 15 (test-support/bundle-fuzz.ts). Prints tried / clean / failed per category and every failure,
 * and exits 1 when any case crashed, hung or printed a stack trace. Cases left when the time
 * budget runs out are reported as not run (and fail the run only when fewer than 500 flips ran).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { goldenDir } from '../core/util/shared-paths.js';
import { fuzzCases, runFuzzCase, tally, type FuzzOutcome } from '../test-support/bundle-fuzz.js';

const option = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
};
const goldenFile = option('golden', path.join(goldenDir(), 'default_params.safetensors'));
const flips = Number(option('flips', '600'));
const budgetMs = Number(option('budget-s', '240')) * 1000;
const hangMs = Number(option('hang-ms', '5000'));
const MIN_FLIPS = 500;

if (!existsSync(goldenFile)) {
  console.error(`fuzz: the golden bundle ${goldenFile} is missing (the golden cases live in ../shared/golden; set OMNIZIP_SHARED or pass --golden FILE)`);
  process.exit(2);
}
const golden = new Uint8Array(readFileSync(goldenFile));
const cases = fuzzCases(golden, flips);
const dir = mkdtempSync(path.join(os.tmpdir(), 'omnizip-fuzz-'));
const started = performance.now();
const outcomes: FuzzOutcome[] = [];
try {
  for (const testCase of cases) {
    if (performance.now() - started > budgetMs) break;
    // A case still running at 4x the hang limit is a hang: name it and stop (a synchronous hang
    // never lets this timer fire; CI's `timeout` around `npm run fuzz` covers that one).
    const watchdog = setTimeout(() => {
      console.log(`FAILED ${testCase.category} ${testCase.name}: still running after ${(4 * hangMs) / 1000} s (hang)`);
      process.exit(1);
    }, 4 * hangMs);
    outcomes.push(await runFuzzCase(testCase, dir, hangMs));
    clearTimeout(watchdog);
    if (outcomes.length % 100 === 0) process.stderr.write(`${outcomes.length}/${cases.length} cases\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const seconds = (performance.now() - started) / 1000;
console.log(`bundle fuzz: ${goldenFile}, ${outcomes.length} of ${cases.length} cases in ${seconds.toFixed(1)} s`);
console.log('category             tried  clean  failed');
for (const [category, t] of tally(outcomes)) console.log(`${category.padEnd(20)} ${String(t.tried).padStart(5)}  ${String(t.clean).padStart(5)}  ${String(t.failed).padStart(6)}`);
const failures = outcomes.filter((o) => !o.ok);
for (const f of failures) console.log(`FAILED ${f.category} ${f.name}: ${f.detail}`);
const flipsRun = outcomes.filter((o) => o.category === 'byte-flip').length;
const notRun = cases.length - outcomes.length;
if (notRun > 0) console.log(`${notRun} cases not run: the ${budgetMs / 1000} s budget ran out`);
const accepted = outcomes.filter((o) => o.detail === 'accepted').length;
console.log(`${accepted} mutants accepted (a flip inside tensor data is a valid bundle) and planned; the rest refused with one line`);
if (failures.length > 0 || flipsRun < Math.min(MIN_FLIPS, flips)) process.exitCode = 1;
