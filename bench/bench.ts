// `npm run bench [-- options]`: synthesizes N tenants with the library and with a raw
// cdk8s/cdktf baseline that emits the same objects, each run in a fresh `node` process, and
// prints wall time, peak RSS and output size per N, the library/baseline ratios and the growth.
//
//   --sizes 100,1000,3000   tenant counts (default 100,1000,3000)
//   --reps 5 | --reps 5,5,3 repetitions per size (default 5, and 3 above 1000 tenants)
//   --check 20              tenants of the equivalence check run first (0 skips it)
//   --keep                  keep every run's output under bench/out/runs/
//   --max-wait 10           before each pair, wait up to this many seconds for other processes to
//                           go (nearly) idle (0: don't wait); busy runs are flagged either way
//   --profile               instead of benchmarking: one library run (first of --sizes, default 1000)
//                           under `node --cpu-prof`, then its hot spots
//   --variant baseline      with --profile: profile the baseline instead
//   --top 25                with --profile: rows per table
//   --help                  this text
//
// Workers are plain JS: this driver transpiles bench/worker.ts and the modules it imports to
// .bench/ (git-ignored, beside lib/ so that '../lib' is the compiled library), once per run.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { compareOutputs } from './equivalence';
import { ProfileRow, summarizeProfile } from './profile';
import { RESULT_PREFIX, WorkerResult } from './protocol';
import { Variant } from './scenarios';

const ROOT = path.resolve(__dirname, '..');
const BENCH_DIR = __dirname;
const WORKER_DIR = path.join(ROOT, '.bench');
const OUT_DIR = path.join(BENCH_DIR, 'out');

/** Targets of the issue. */
const TARGET_RATIO = 1.3;
const TARGET_WALL_1000_MS = 5000;
/** Growth 1000 -> 3000 counts as linear up to 10% above 3.0. */
const TARGET_GROWTH_SLACK = 1.1;
/** Before each pair, wait for other processes to use less than this share of the CPUs... */
const QUIET_PERCENT = 15;
/** ...measured over windows of this length. */
const QUIET_WINDOW_MS = 500;
/** Jiffies per second of /proc/stat (USER_HZ, 100 on every mainstream Linux). */
const USER_HZ = 100;

interface Options {
  readonly help: boolean;
  readonly sizes: number[];
  readonly reps: number[];
  readonly check: number;
  readonly keep: boolean;
  readonly profile: boolean;
  readonly variant: Variant;
  readonly top: number;
  readonly maxWaitMs: number;
}

/** One finished run: the worker's own numbers plus what the driver measured around it. */
interface Run extends WorkerResult {
  /** Spawn to exit, as seen by the driver. */
  readonly wallMs: number;
  /** build + k8s synth + tf synth (no module loading, no process start). */
  readonly inProcessMs: number;
  readonly k8sBytes: number;
  readonly tfBytes: number;
  /** CPU the rest of the machine used during the run, in % of all cores (undefined without /proc/stat). */
  readonly otherLoadPercent?: number;
}

function parseArgs(argv: string[]): Options {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    if (eq !== -1) {
      values.set(arg.slice(2, eq), arg.slice(eq + 1));
    } else if (['keep', 'profile', 'help'].includes(arg.slice(2))) {
      flags.add(arg.slice(2));
    } else {
      if (i + 1 >= argv.length) throw new Error(`'${arg}' needs a value`);
      values.set(arg.slice(2), argv[++i]);
    }
  }
  const known = ['sizes', 'reps', 'check', 'variant', 'top', 'max-wait'];
  for (const key of values.keys()) {
    if (!known.includes(key)) throw new Error(`unknown option '--${key}'`);
  }
  const numbers = (key: string, fallback: string) => (values.get(key) ?? fallback).split(',').map((s) => {
    const n = Number(s.trim());
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${key}: '${s}' is not a whole number`);
    return n;
  });
  const profile = flags.has('profile');
  const sizes = numbers('sizes', profile ? '1000' : '100,1000,3000');
  const repsGiven = values.has('reps') ? numbers('reps', '') : undefined;
  if (repsGiven && repsGiven.length !== 1 && repsGiven.length !== sizes.length) {
    throw new Error(`--reps: give one count, or one per size (${sizes.length})`);
  }
  const reps = sizes.map((n, i) => Math.max(1, repsGiven ? repsGiven[repsGiven.length === 1 ? 0 : i] : (n > 1000 ? 3 : 5)));
  const variant = values.get('variant') ?? 'library';
  if (variant !== 'library' && variant !== 'baseline') throw new Error(`--variant: '${variant}' is not library or baseline`);
  return {
    help: flags.has('help'),
    sizes,
    reps,
    check: numbers('check', '20')[0],
    keep: flags.has('keep'),
    profile,
    variant,
    top: numbers('top', '25')[0],
    maxWaitMs: numbers('max-wait', '10')[0] * 1000,
  };
}

/**
 * Transpiles bench/worker.ts and the local modules it imports to plain JS in .bench/, so that
 * spawning a worker compiles no TypeScript (the same for both variants).
 */
function prepareWorker(): string {
  fs.rmSync(WORKER_DIR, { recursive: true, force: true });
  fs.mkdirSync(WORKER_DIR, { recursive: true });
  const pending = ['worker'];
  const done = new Set<string>();
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (done.has(name)) continue;
    done.add(name);
    const source = fs.readFileSync(path.join(BENCH_DIR, `${name}.ts`), 'utf8');
    for (const m of source.matchAll(/(?:from|import\()\s*'\.\/([\w-]+)(?:\.js)?'/g)) pending.push(m[1]);
    const { outputText, diagnostics } = ts.transpileModule(source, {
      fileName: `${name}.ts`,
      reportDiagnostics: true,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        isolatedModules: true,
      },
    });
    if (diagnostics && diagnostics.length > 0) {
      throw new Error(`cannot transpile bench/${name}.ts: ${ts.flattenDiagnosticMessageText(diagnostics[0].messageText, '\n')}`);
    }
    fs.writeFileSync(path.join(WORKER_DIR, `${name}.js`), outputText);
  }
  return path.join(WORKER_DIR, 'worker.js');
}

function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  // Never let a ts-node hook leak into the workers.
  if (env.NODE_OPTIONS && /ts-node/.test(env.NODE_OPTIONS)) delete env.NODE_OPTIONS;
  return env;
}

/** Runs one worker in a fresh process; `nodeArgs` go to node (e.g. --cpu-prof). */
async function runWorker(worker: string, variant: Variant, tenants: number, outdir: string, nodeArgs: string[] = []): Promise<Run> {
  fs.rmSync(outdir, { recursive: true, force: true });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const cpuBefore = cpuJiffies();
  const start = process.hrtime.bigint();
  const child = spawn(process.execPath, [...nodeArgs, worker, variant, String(tenants), outdir], {
    cwd: ROOT,
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (b: Buffer) => stdout.push(b));
  child.stderr.on('data', (b: Buffer) => stderr.push(b));
  const { code, wallMs } = await new Promise<{ code: number | null; wallMs: number }>((resolve, reject) => {
    let exit: { code: number | null; wallMs: number } | undefined;
    child.on('error', reject);
    child.on('exit', (c) => {
      exit = { code: c, wallMs: Number(process.hrtime.bigint() - start) / 1e6 };
    });
    child.on('close', () => resolve(exit ?? { code: null, wallMs: Number(process.hrtime.bigint() - start) / 1e6 }));
  });
  const out = Buffer.concat(stdout).toString('utf8');
  const line = out.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
  if (code !== 0 || !line) {
    throw new Error(`worker ${variant} ${tenants} failed (exit ${code}):\n${Buffer.concat(stderr).toString('utf8')}${out}`);
  }
  const result: WorkerResult = JSON.parse(line.slice(RESULT_PREFIX.length));
  const cpuAfter = cpuJiffies();
  let otherLoadPercent: number | undefined;
  if (cpuBefore && cpuAfter && cpuAfter.total > cpuBefore.total) {
    const other = cpuAfter.busy - cpuBefore.busy - (result.cpuMs / 1000) * USER_HZ;
    otherLoadPercent = Math.max(0, (100 * other) / (cpuAfter.total - cpuBefore.total));
  }
  return {
    ...result,
    wallMs,
    inProcessMs: result.buildMs + result.k8sSynthMs + result.tfSynthMs,
    k8sBytes: directoryBytes(path.join(outdir, 'k8s')),
    tfBytes: directoryBytes(path.join(outdir, 'tf')),
    otherLoadPercent,
  };
}

/** Busy and total jiffies of all CPUs since boot (Linux /proc/stat), or undefined elsewhere. */
function cpuJiffies(): { busy: number; total: number } | undefined {
  try {
    const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    const [user, nice, system, idle, iowait, irq, softirq, steal] = fields;
    const busy = user + nice + system + irq + softirq + steal;
    return { busy, total: busy + idle + iowait };
  } catch {
    return undefined;
  }
}

function directoryBytes(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    total += entry.isDirectory() ? directoryBytes(p) : fs.statSync(p).size;
  }
  return total;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const sec = (ms: number) => (ms / 1000).toFixed(2);
const mb = (bytes: number) => (bytes / (1024 * 1024)).toFixed(2);
const fixed2 = (x: number) => x.toFixed(2);

/** A plain-text table; `align` has one 'l' or 'r' per column. */
function table(headers: string[], rows: string[][], align: string): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (align[i] === 'r' ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [fmt(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}

async function equivalenceCheck(worker: string, tenants: number): Promise<void> {
  const dir = path.join(OUT_DIR, 'equivalence');
  const lib = await runWorker(worker, 'library', tenants, path.join(dir, 'library'));
  const base = await runWorker(worker, 'baseline', tenants, path.join(dir, 'baseline'));
  const report = compareOutputs(path.join(dir, 'library'), path.join(dir, 'baseline'));
  if (!report.equivalent) {
    console.log(`equivalence check (${tenants} tenants): FAILED, the baseline does not emit the library's objects:`);
    for (const d of report.differences.slice(0, 20)) console.log(`  - ${d}`);
    console.log(`  outputs kept in ${path.relative(ROOT, dir)}/`);
    throw new Error('baseline and library outputs differ; fix bench/scenario-baseline.ts before measuring');
  }
  console.log(`equivalence check (${tenants} tenants): OK, library and baseline emit the same objects`);
  console.log(`  Kubernetes: ${report.k8sObjects} objects (${report.k8sObjects / Math.max(1, tenants)} per tenant), `
    + `YAML ${report.k8sByteIdentical ? 'byte-identical' : 'equal after parsing'}`);
  console.log(`  Terraform: ${report.tfResources} resources, cdk.tf.json `
    + `${report.tfIdenticalAfterStrip ? 'byte-identical' : 'equal (key order aside)'} once each resource's construct-path metadata ('//') is dropped`);
  console.log(`  output size: library ${lib.k8sBytes + lib.tfBytes} B, baseline ${base.k8sBytes + base.tfBytes} B `
    + '(the difference is the construct paths in the \'//\' metadata)');
  console.log(`  outputs kept in ${path.relative(ROOT, dir)}/`);
}

/** Waits (up to `maxWaitMs`) until other processes use less than QUIET_PERCENT of the CPUs. */
async function waitForQuiet(maxWaitMs: number): Promise<{ waitedMs: number; busyPercent: number } | undefined> {
  if (maxWaitMs <= 0) return undefined;
  const start = Date.now();
  for (;;) {
    const before = cpuJiffies();
    await new Promise((resolve) => setTimeout(resolve, QUIET_WINDOW_MS));
    const after = cpuJiffies();
    if (!before || !after || after.total <= before.total) return undefined;
    const busyPercent = (100 * (after.busy - before.busy)) / (after.total - before.total);
    const waitedMs = Date.now() - start;
    if (busyPercent < QUIET_PERCENT || waitedMs >= maxWaitMs) return { waitedMs, busyPercent };
  }
}

async function benchmark(options: Options, worker: string): Promise<void> {
  const runs = new Map<string, Run[]>();
  const key = (variant: Variant, n: number) => `${variant}:${n}`;
  for (const [index, n] of options.sizes.entries()) {
    const reps = options.reps[index];
    for (let r = 0; r < reps; r++) {
      const quiet = await waitForQuiet(options.maxWaitMs);
      // Alternate who goes first, so drift (thermal, page cache, neighbours) hits both sides alike.
      const order: Variant[] = r % 2 === 0 ? ['library', 'baseline'] : ['baseline', 'library'];
      const pair: Partial<Record<Variant, Run>> = {};
      for (const variant of order) {
        const outdir = path.join(OUT_DIR, 'runs', `${variant}-${n}-${r}`);
        const run = await runWorker(worker, variant, n, outdir);
        if (!options.keep) fs.rmSync(outdir, { recursive: true, force: true });
        pair[variant] = run;
        runs.set(key(variant, n), [...(runs.get(key(variant, n)) ?? []), run]);
      }
      const lib = pair.library!;
      const base = pair.baseline!;
      const load = [lib.otherLoadPercent, base.otherLoadPercent].filter((x): x is number => x !== undefined);
      let waited = '';
      if (quiet && quiet.waitedMs > 2 * QUIET_WINDOW_MS) {
        waited = quiet.busyPercent < QUIET_PERCENT
          ? ` (waited ${sec(quiet.waitedMs)} s for a quiet machine)`
          : ` (machine still ${quiet.busyPercent.toFixed(0)}% busy after ${sec(quiet.waitedMs)} s)`;
      }
      console.log(`  ${String(n).padStart(5)} tenants, run ${r + 1}/${reps} (${order[0]} first): `
        + `library ${sec(lib.wallMs)} s, baseline ${sec(base.wallMs)} s, ratio ${fixed2(lib.wallMs / base.wallMs)}`
        + (load.length > 0 ? `; other processes' CPU ${Math.max(...load).toFixed(0)}%` : '') + waited);
    }
  }

  const med = (variant: Variant, n: number, f: (r: Run) => number) => median(runs.get(key(variant, n))!.map(f));
  const ms = (variant: Variant, n: number, f: (r: Run) => number) => med(variant, n, f).toFixed(0);
  console.log('');
  console.log('medians per N. wall: spawn to exit. in-proc: build + both synths (no start-up, no module loading), wall and CPU time.');
  console.log('cpu: user + system time of the whole process, all threads. load/build/synth: in-process wall times.');
  const rows: string[][] = [];
  for (const n of options.sizes) {
    for (const variant of ['library', 'baseline'] as Variant[]) {
      rows.push([
        String(n),
        variant,
        String(runs.get(key(variant, n))!.length),
        sec(med(variant, n, (r) => r.wallMs)),
        sec(med(variant, n, (r) => r.inProcessMs)),
        sec(med(variant, n, (r) => r.inProcessCpuMs)),
        sec(med(variant, n, (r) => r.cpuMs)),
        ms(variant, n, (r) => r.loadMs),
        ms(variant, n, (r) => r.buildMs),
        ms(variant, n, (r) => r.k8sSynthMs),
        ms(variant, n, (r) => r.tfSynthMs),
        (med(variant, n, (r) => r.maxRssKb) / 1024).toFixed(0),
        mb(med(variant, n, (r) => r.k8sBytes + r.tfBytes)),
      ]);
    }
  }
  console.log(table(
    ['tenants', 'variant', 'runs', 'wall s', 'in-proc s', 'in-proc cpu s', 'cpu s', 'load ms', 'build ms', 'k8s synth ms', 'tf synth ms',
      'peak RSS MiB', 'output MiB'],
    rows,
    'llrrrrrrrrrrr',
  ));

  console.log('');
  const ratios = new Map<number, number>();
  for (const n of options.sizes) {
    const libRuns = runs.get(key('library', n))!;
    const baseRuns = runs.get(key('baseline', n))!;
    const r = (f: (run: Run) => number) => med('library', n, f) / med('baseline', n, f);
    const ratio = r((x) => x.wallMs);
    ratios.set(n, ratio);
    const pairRatios = libRuns.map((x, i) => x.wallMs / baseRuns[i].wallMs);
    console.log(`ratio ${n} tenants: ${fixed2(ratio)}`);
    console.log(`  whole-process wall, medians: library ${sec(med('library', n, (x) => x.wallMs))} s / baseline ${sec(med('baseline', n, (x) => x.wallMs))} s`
      + ` (median of the ${pairRatios.length} per-pair ratios: ${fixed2(median(pairRatios))})`);
    console.log(`  in-process build+synth: wall ${fixed2(r((x) => x.inProcessMs))}, CPU ${fixed2(r((x) => x.inProcessCpuMs))}; `
      + `whole-process CPU ${fixed2(r((x) => x.cpuMs))}; module load ${ms('library', n, (x) => x.loadMs)} / ${ms('baseline', n, (x) => x.loadMs)} ms; `
      + `peak RSS ${fixed2(r((x) => x.maxRssKb))}; output size ${fixed2(r((x) => x.k8sBytes + x.tfBytes))}`);
  }

  console.log('');
  const growths: Array<{ from: number; to: number; factor: number; baseline: number }> = [];
  const sorted = [...new Set(options.sizes)].sort((a, b) => a - b).filter((n) => n > 0);
  for (let i = 1; i < sorted.length; i++) {
    const [a, b] = [sorted[i - 1], sorted[i]];
    const g = (variant: Variant, f: (r: Run) => number) => med(variant, b, f) / med(variant, a, f);
    const factor = g('library', (r) => r.inProcessMs);
    const baseline = g('baseline', (r) => r.inProcessMs);
    growths.push({ from: a, to: b, factor, baseline });
    console.log(`growth ${a} -> ${b} tenants: ${fixed2(factor)}`);
    console.log(`  library in-process build+synth wall time (${fixed2(b / a)} = linear); baseline ${fixed2(baseline)}. `
      + `Library in-process CPU ${fixed2(g('library', (r) => r.inProcessCpuMs))} (includes a fixed JIT share), `
      + `whole-process wall ${fixed2(g('library', (r) => r.wallMs))} (includes start-up), peak RSS ${fixed2(g('library', (r) => r.maxRssKb))}`);
  }

  console.log('');
  console.log('targets:');
  const worst = [...ratios.entries()].sort((x, y) => y[1] - x[1])[0];
  console.log(`  ratio <= ${TARGET_RATIO} at every N: ${worst[1] <= TARGET_RATIO ? 'MET' : 'MISSED'} `
    + `(highest ${fixed2(worst[1])} at ${worst[0]} tenants)`);
  if (runs.has(key('library', 1000))) {
    const wall = med('library', 1000, (r) => r.wallMs);
    console.log(`  1000 tenants under ${TARGET_WALL_1000_MS / 1000} s wall: ${wall < TARGET_WALL_1000_MS ? 'MET' : 'MISSED'} (${sec(wall)} s)`);
  } else {
    console.log('  1000 tenants under 5 s wall: not measured (--sizes has no 1000)');
  }
  const g = growths.find((x) => x.from === 1000 && x.to === 3000);
  if (g) {
    const limit = 3 * TARGET_GROWTH_SLACK;
    console.log(`  linear growth 1000 -> 3000 (<= ${fixed2(limit)}; 3.00 = linear): ${g.factor <= limit ? 'MET' : 'MISSED'} `
      + `(${fixed2(g.factor)}; baseline ${fixed2(g.baseline)})`);
  } else {
    console.log('  linear growth 1000 -> 3000: not measured (--sizes needs 1000 and 3000)');
  }
  const loads = [...runs.values()].flat().map((r) => r.otherLoadPercent).filter((x): x is number => x !== undefined);
  if (loads.length > 0) {
    const busy = median(loads) > 5;
    console.log(`noise: other processes used ${median(loads).toFixed(0)}% (median), ${Math.max(...loads).toFixed(0)}% (max) of the CPUs during the runs`
      + (busy ? '; the machine was busy: wall times are inflated, CPU times and ratios less so; rerun (or raise --reps)' : ''));
  }
}

async function runProfile(options: Options, worker: string): Promise<void> {
  const n = options.sizes[0];
  const dir = path.join(OUT_DIR, 'profile');
  fs.mkdirSync(dir, { recursive: true });
  const name = `${options.variant}-${n}.cpuprofile`;
  fs.rmSync(path.join(dir, name), { force: true });
  const run = await runWorker(worker, options.variant, n, path.join(dir, `${options.variant}-${n}-out`), [
    '--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}`, '--cpu-prof-interval=250',
  ]);
  console.log(`profiled ${options.variant}, ${n} tenants: wall ${sec(run.wallMs)} s (profiler on), load ${run.loadMs.toFixed(0)} ms, `
    + `build ${run.buildMs.toFixed(0)} ms, k8s synth ${run.k8sSynthMs.toFixed(0)} ms, tf synth ${run.tfSynthMs.toFixed(0)} ms`);
  const file = path.join(dir, name);
  console.log(`profile: ${path.relative(ROOT, file)} (open in Chrome DevTools > Performance, or VS Code)`);
  const summary = summarizeProfile(file, ROOT, options.top);
  const print = (title: string, rows: ProfileRow[]) => {
    console.log('');
    console.log(title);
    console.log(table(['ms', '%', 'function', 'where'], rows.map((r) => [r.ms.toFixed(0), r.percent.toFixed(1), r.name, r.where]), 'rrll')
      .split('\n').map((l) => `  ${l}`).join('\n'));
  };
  console.log(`sampled time: ${summary.totalMs.toFixed(0)} ms`);
  print('top self time, by function:', summary.topSelf);
  print('self time, by package:', summary.byPackage);
  if (summary.libraryInclusive.length > 0) {
    print('self time in the library\'s own functions (lib/*.js mapped to src/*.ts):', summary.librarySelf);
    print('inclusive time of the library\'s own functions (callees included, recursion counted once):', summary.libraryInclusive);
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (options.help) {
    // The usage is the comment at the top of this file.
    const lines = fs.readFileSync(__filename, 'utf8').split('\n');
    const head = lines.slice(0, lines.findIndex((l) => !l.startsWith('//')));
    console.log(head.map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
    return;
  }
  if (!fs.existsSync(path.join(ROOT, 'lib', 'index.js'))) {
    throw new Error('lib/index.js is missing: compile first (npm run bench does)');
  }
  const worker = prepareWorker();
  console.log(`cdk8s-vault-pki bench: node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim()}), `
    + `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB${process.env.NODE_OPTIONS ? `, NODE_OPTIONS=${process.env.NODE_OPTIONS}` : ''}`);
  console.log('each run: a fresh `node .bench/worker.js` process (plain JS, compiled lib/), outputs under bench/out/');
  if (options.profile) {
    await runProfile(options, worker);
    return;
  }
  console.log(`sizes ${options.sizes.join(', ')} tenants; repetitions ${options.reps.join(', ')}; `
    + 'library and baseline alternate in pairs, medians reported');
  if (options.check > 0) await equivalenceCheck(worker, options.check);
  console.log('');
  await benchmark(options, worker);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
