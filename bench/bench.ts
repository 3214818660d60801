// `npm run bench [-- options]`: the fleet benchmark. C clusters x T tenants, every tenant placed on every cluster
// (C x T placements, 2 certificates each), both halves in one program: the Vault Terraform (cdktf: the hierarchy's
// stack with one auth mount per cluster, 10 tenant shards) and the cluster manifests (one ClusterChart per cluster
// with a TrustBundle and PkiAlerts), written as a GitOps tree by GitOpsOutput.write() and synthesized by cdktf.
// The same objects are also built by a raw cdk8s/cdktf baseline (plain ApiObjects and provider resources, its own
// writer). Each run is a fresh `node` process; library and baseline alternate in pairs and medians are reported:
// whole-process wall time, in-process build/write/synth times, peak RSS and output size per size, the
// library/baseline ratios, the growth between sizes, and ConsistencyCheck.checkFleet() over the whole fleet.
//
//   --clusters 50           cluster counts, e.g. 10,50 for the growth run (default 50)
//   --tenants 200           tenant counts, each placed on every cluster (default 200); sizes are every
//                           clusters x tenants combination
//   --reps 3 | --reps 5,3   repetitions per size (default 5, and 3 from 2000 placements on)
//   --check 3x5             clusters x tenants of the equivalence check run first (0 skips it)
//   --consistency 1         ConsistencyCheck runs on the library output of the largest size (0 skips them)
//   --keep                  keep every run's output under <out>/runs/
//   --out /dev/shm/...      where runs write (default: /dev/shm/cdk8s-vault-pki-bench where /dev/shm exists, a
//                           memory-backed filesystem, so disk latency does not swamp the comparison; else bench/out)
//   --max-wait 10           before each pair, wait up to this many seconds for other processes to
//                           go (nearly) idle (0: don't wait); busy runs are flagged either way
//   --profile               instead of benchmarking: one run (first size; default 10 x 200) under
//                           `node --cpu-prof`, then its hot spots
//   --variant baseline      with --profile: profile the baseline (or `consistency`: the ConsistencyCheck
//                           of a library output) instead of the library
//   --top 25                with --profile: rows per table
//   --help                  this text
//
// Headline run: `npm run bench` (50 x 200: 10,000 placements, 20,000 certificates).
// Growth run:   `npm run bench -- --clusters 10,50` (10 x 200 and 50 x 200; linear = 5.00).
//
// Workers are plain JS: this driver transpiles bench/worker.ts, bench/consistency-worker.ts and the modules they
// import to .bench/ (git-ignored, beside lib/ so that '../lib' is the compiled library), once per run.
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import { compareOutputs, listFiles } from './equivalence';
import { ProfileRow, summarizeProfile } from './profile';
import { ConsistencyResult, RESULT_PREFIX, WorkerResult } from './protocol';
import { describeSize, FleetSize, Variant } from './scenarios';

const ROOT = path.resolve(__dirname, '..');
const BENCH_DIR = __dirname;
const WORKER_DIR = path.join(ROOT, '.bench');
/** Where runs write by default: a memory-backed filesystem when there is one (both variants write the same bytes). */
const DEFAULT_OUT_DIR = fs.existsSync('/dev/shm') ? path.join('/dev/shm', 'cdk8s-vault-pki-bench') : path.join(BENCH_DIR, 'out');
/** Where equivalence outputs and profiles are kept (in the repository, git-ignored). */
const KEEP_DIR = path.join(BENCH_DIR, 'out');
let OUT_DIR = DEFAULT_OUT_DIR;

/** Targets of the issue: library/baseline ratio of the medians (wall time and peak RSS). */
const TARGET_RATIO = 1.3;
/** Growth counts as linear up to 10% above the ratio of the placements (5.00 for 10 -> 50 clusters). */
const TARGET_GROWTH_SLACK = 1.1;
/** The headline size of the issue. */
const HEADLINE: FleetSize = { clusters: 50, tenants: 200 };
/** From this many placements on, 3 repetitions by default instead of 5. */
const LARGE_PLACEMENTS = 2000;
/** Before each pair, wait for other processes to use less than this share of the CPUs... */
const QUIET_PERCENT = 15;
/** ...measured over windows of this length. */
const QUIET_WINDOW_MS = 500;
/** Jiffies per second of /proc/stat (USER_HZ, 100 on every mainstream Linux). */
const USER_HZ = 100;

type ProfileVariant = Variant | 'consistency';

interface Options {
  readonly help: boolean;
  readonly sizes: FleetSize[];
  readonly reps: number[];
  readonly check?: FleetSize;
  readonly consistency: number;
  readonly keep: boolean;
  readonly profile: boolean;
  readonly variant: ProfileVariant;
  readonly top: number;
  readonly maxWaitMs: number;
}

/** How the driver saw one process: its wall time and the rest of the machine's load. */
interface Observed {
  /** Spawn to exit, as seen by the driver. */
  readonly wallMs: number;
  /** CPU the rest of the machine used during the run, in % of all cores (undefined without /proc/stat). */
  readonly otherLoadPercent?: number;
}

/** One finished synth run: the worker's own numbers plus what the driver measured around it. */
interface Run extends WorkerResult, Observed {
  /** build + GitOps write + tf synth (no module loading, no process start). */
  readonly inProcessMs: number;
  readonly gitopsBytes: number;
  readonly gitopsFiles: number;
  readonly tfBytes: number;
}

/** One finished ConsistencyCheck run. */
interface CheckRun extends ConsistencyResult, Observed {}

const placements = (size: FleetSize) => size.clusters * size.tenants;
const sizeKey = (size: FleetSize) => `${size.clusters}x${size.tenants}`;

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
  const known = ['clusters', 'tenants', 'reps', 'check', 'consistency', 'variant', 'top', 'max-wait', 'out'];
  for (const key of values.keys()) {
    if (!known.includes(key)) throw new Error(`unknown option '--${key}'`);
  }
  const numbers = (key: string, fallback: string) => (values.get(key) ?? fallback).split(',').map((s) => {
    const n = Number(s.trim());
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${key}: '${s}' is not a whole number`);
    return n;
  });
  const profile = flags.has('profile');
  const sizeGiven = values.has('clusters') || values.has('tenants');
  const clusters = numbers('clusters', profile && !sizeGiven ? '10' : String(HEADLINE.clusters));
  const tenants = numbers('tenants', String(HEADLINE.tenants));
  if (clusters.some((c) => c < 1)) throw new Error('--clusters: every count must be at least 1');
  const sizes = clusters.flatMap((c) => tenants.map((t) => ({ clusters: c, tenants: t })))
    .filter((s, i, all) => all.findIndex((o) => sizeKey(o) === sizeKey(s)) === i)
    .sort((a, b) => placements(a) - placements(b) || a.clusters - b.clusters);
  const repsGiven = values.has('reps') ? numbers('reps', '') : undefined;
  if (repsGiven && repsGiven.length !== 1 && repsGiven.length !== sizes.length) {
    throw new Error(`--reps: give one count, or one per size (${sizes.length}: ${sizes.map(describeSize).join(', ')})`);
  }
  const reps = sizes.map((s, i) => Math.max(1, repsGiven
    ? repsGiven[repsGiven.length === 1 ? 0 : i]
    : (placements(s) >= LARGE_PLACEMENTS ? 3 : 5)));
  if (values.has('out')) OUT_DIR = path.resolve(values.get('out')!);
  const variant = values.get('variant') ?? 'library';
  if (!['library', 'baseline', 'consistency'].includes(variant)) {
    throw new Error(`--variant: '${variant}' is not library, baseline or consistency`);
  }
  const checkText = values.get('check') ?? '3x5';
  let check: FleetSize | undefined;
  if (checkText.trim() !== '0') {
    const m = /^\s*(\d+)\s*x\s*(\d+)\s*$/.exec(checkText);
    if (!m || Number(m[1]) < 1) throw new Error(`--check: '${checkText}' is not <clusters>x<tenants> (e.g. 3x5) or 0`);
    check = { clusters: Number(m[1]), tenants: Number(m[2]) };
  }
  return {
    help: flags.has('help'),
    sizes,
    reps,
    check,
    consistency: numbers('consistency', '1')[0],
    keep: flags.has('keep'),
    profile,
    variant: variant as ProfileVariant,
    top: numbers('top', '25')[0],
    maxWaitMs: numbers('max-wait', '10')[0] * 1000,
  };
}

/**
 * Transpiles the worker scripts and the local modules they import to plain JS in .bench/, so that spawning a
 * worker compiles no TypeScript (the same for both variants).
 */
function prepareWorkers(): { synth: string; consistency: string } {
  fs.rmSync(WORKER_DIR, { recursive: true, force: true });
  fs.mkdirSync(WORKER_DIR, { recursive: true });
  const pending = ['worker', 'consistency-worker'];
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
  return { synth: path.join(WORKER_DIR, 'worker.js'), consistency: path.join(WORKER_DIR, 'consistency-worker.js') };
}

/**
 * lib/ must hold the compiled library only: jsii never deletes outputs, so a module left over from an older layout
 * (lib/terraform.js beside lib/terraform/index.js) would shadow the new one and the runs would measure old code.
 */
function checkLib(): void {
  const lib = path.join(ROOT, 'lib');
  if (!fs.existsSync(path.join(lib, 'index.js'))) throw new Error('lib/index.js is missing: compile first (npm run bench does)');
  const shadowing = listFiles(lib)
    .filter((f) => f.endsWith('.js') && fs.existsSync(path.join(lib, f.slice(0, -3), 'index.js')));
  const orphans = listFiles(lib)
    .filter((f) => f.endsWith('.js') && !fs.existsSync(path.join(ROOT, 'src', `${f.slice(0, -3)}.ts`)));
  if (shadowing.length > 0) {
    throw new Error(`lib/ holds stale modules that shadow the compiled library (${shadowing.map((f) => `lib/${f}`).join(', ')}; `
      + `${orphans.length} lib/*.js without a src/*.ts): delete lib/ and compile again (rm -rf lib && npx projen compile)`);
  }
  if (orphans.length > 0) {
    console.log(`note: ${orphans.length} file(s) in lib/ have no source in src/ (left over from older builds, unused): ${orphans.slice(0, 3).join(', ')}`);
  }
}

function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  // Never let a ts-node hook leak into the workers.
  if (env.NODE_OPTIONS && /ts-node/.test(env.NODE_OPTIONS)) delete env.NODE_OPTIONS;
  return env;
}

/** Runs `script args` in a fresh node process; `nodeArgs` go to node (e.g. --cpu-prof). Returns its result line. */
async function runProcess<T extends { cpuMs: number }>(script: string, args: string[], nodeArgs: string[] = []): Promise<T & Observed> {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  const cpuBefore = cpuJiffies();
  const start = process.hrtime.bigint();
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
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
    throw new Error(`${path.basename(script)} ${args.join(' ')} failed (exit ${code}):\n${Buffer.concat(stderr).toString('utf8')}${out}`);
  }
  const result: T = JSON.parse(line.slice(RESULT_PREFIX.length));
  const cpuAfter = cpuJiffies();
  let otherLoadPercent: number | undefined;
  if (cpuBefore && cpuAfter && cpuAfter.total > cpuBefore.total) {
    const other = cpuAfter.busy - cpuBefore.busy - (result.cpuMs / 1000) * USER_HZ;
    otherLoadPercent = Math.max(0, (100 * other) / (cpuAfter.total - cpuBefore.total));
  }
  return { ...result, wallMs, otherLoadPercent };
}

/** One synth run of `variant` at `size` into `outdir` (emptied first). */
async function runWorker(worker: string, variant: Variant, size: FleetSize, outdir: string, nodeArgs: string[] = []): Promise<Run> {
  fs.rmSync(outdir, { recursive: true, force: true });
  const result = await runProcess<WorkerResult>(worker, [variant, String(size.clusters), String(size.tenants), outdir], nodeArgs);
  const gitops = directoryStats(path.join(outdir, 'gitops'));
  return {
    ...result,
    inProcessMs: result.buildMs + result.k8sWriteMs + result.tfSynthMs,
    gitopsBytes: gitops.bytes,
    gitopsFiles: gitops.files,
    tfBytes: directoryStats(path.join(outdir, 'tf')).bytes,
  };
}

/** One ConsistencyCheck.checkFleet() run over a synth run's output. */
async function runConsistency(worker: string, outdir: string, nodeArgs: string[] = []): Promise<CheckRun> {
  return runProcess<ConsistencyResult>(worker, [path.join(outdir, 'gitops'), path.join(outdir, 'tf')], nodeArgs);
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

function directoryStats(dir: string): { bytes: number; files: number } {
  if (!fs.existsSync(dir)) return { bytes: 0, files: 0 };
  let bytes = 0;
  let files = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const sub = directoryStats(p);
      bytes += sub.bytes;
      files += sub.files;
    } else {
      bytes += fs.statSync(p).size;
      files++;
    }
  }
  return { bytes, files };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const sec = (ms: number) => (ms / 1000).toFixed(2);
const mb = (bytes: number) => (bytes / (1024 * 1024)).toFixed(1);
const mib = (kb: number) => (kb / 1024).toFixed(0);
const fixed2 = (x: number) => x.toFixed(2);
const count = (n: number) => n.toLocaleString('en-US');

/** A plain-text table; `align` has one 'l' or 'r' per column. */
function table(headers: string[], rows: string[][], align: string): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (align[i] === 'r' ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [fmt(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}

/** A Markdown table (for the README); `align` has one 'l' or 'r' per column. */
function markdown(headers: string[], rows: string[][], align: string): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(headers), line(headers.map((_, i) => (align[i] === 'r' ? '---:' : '---'))), ...rows.map(line)].join('\n');
}

async function equivalenceCheck(worker: string, size: FleetSize): Promise<void> {
  const dir = path.join(KEEP_DIR, 'equivalence');
  const lib = await runWorker(worker, 'library', size, path.join(dir, 'library'));
  const base = await runWorker(worker, 'baseline', size, path.join(dir, 'baseline'));
  const report = compareOutputs(path.join(dir, 'library'), path.join(dir, 'baseline'));
  const what = `${describeSize(size)} (${placements(size)} placements)`;
  if (!report.equivalent) {
    console.log(`equivalence check ${what}: FAILED, the baseline does not emit the library's output (${report.differences.length} differences):`);
    // The first few of each side, so a Terraform difference is not hidden behind many GitOps ones.
    const isTerraform = (d: string) => d.startsWith('tf/') || d.startsWith('Terraform');
    for (const group of [report.differences.filter((d) => !isTerraform(d)), report.differences.filter(isTerraform)]) {
      for (const d of group.slice(0, 5)) console.log(`  - ${d}`);
      if (group.length > 5) console.log(`  ... and ${group.length - 5} more like these`);
    }
    console.log(`  outputs kept in ${path.relative(ROOT, dir)}/ (library/ and baseline/)`);
    throw new Error('baseline and library outputs differ; fix bench/scenario-baseline.ts before measuring');
  }
  console.log(`equivalence check ${what}: OK, library and baseline write the same output`);
  console.log(`  GitOps tree: all ${report.gitopsFiles} files byte-identical (${report.clusters} clusters, ${report.k8sObjects} object files `
    + '+ kustomization.yaml files + inventory.json)');
  console.log(`  Terraform: manifest.json identical; ${report.stacks} stacks, ${report.tfResources} resources, every cdk.tf.json identical `
    + 'once the \'//\' metadata (construct paths) is dropped');
  console.log(`  output size: library ${count(lib.gitopsBytes + lib.tfBytes)} B, baseline ${count(base.gitopsBytes + base.tfBytes)} B `
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

function waitNote(quiet: { waitedMs: number; busyPercent: number } | undefined): string {
  if (!quiet || quiet.waitedMs <= 2 * QUIET_WINDOW_MS) return '';
  return quiet.busyPercent < QUIET_PERCENT
    ? ` (waited ${sec(quiet.waitedMs)} s for a quiet machine)`
    : ` (machine still ${quiet.busyPercent.toFixed(0)}% busy after ${sec(quiet.waitedMs)} s)`;
}

async function benchmark(options: Options, workers: { synth: string; consistency: string }): Promise<void> {
  const runs = new Map<string, Run[]>();
  const key = (variant: Variant, size: FleetSize) => `${variant}:${sizeKey(size)}`;
  const largest = options.sizes[options.sizes.length - 1];
  const checkRuns: CheckRun[] = [];
  for (const [index, size] of options.sizes.entries()) {
    const reps = options.reps[index];
    for (let r = 0; r < reps; r++) {
      const quiet = await waitForQuiet(options.maxWaitMs);
      // Alternate who goes first, so drift (thermal, page cache, neighbours) hits both sides alike.
      const order: Variant[] = r % 2 === 0 ? ['library', 'baseline'] : ['baseline', 'library'];
      const pair: Partial<Record<Variant, Run>> = {};
      // The last library output of the largest size stays until ConsistencyCheck has read it.
      const checkThis = options.consistency > 0 && size === largest && r === reps - 1;
      for (const variant of order) {
        const outdir = path.join(OUT_DIR, 'runs', `${variant}-${sizeKey(size)}-${r}`);
        const run = await runWorker(workers.synth, variant, size, outdir);
        if (!options.keep && !(checkThis && variant === 'library')) fs.rmSync(outdir, { recursive: true, force: true });
        pair[variant] = run;
        runs.set(key(variant, size), [...(runs.get(key(variant, size)) ?? []), run]);
      }
      const lib = pair.library!;
      const base = pair.baseline!;
      const load = [lib.otherLoadPercent, base.otherLoadPercent].filter((x): x is number => x !== undefined);
      console.log(`  ${describeSize(size).padStart(9)}, run ${r + 1}/${reps} (${order[0]} first): `
        + `library ${sec(lib.wallMs)} s ${mib(lib.maxRssKb)} MiB, baseline ${sec(base.wallMs)} s ${mib(base.maxRssKb)} MiB, `
        + `wall ratio ${fixed2(lib.wallMs / base.wallMs)}`
        + (load.length > 0 ? `; other processes' CPU ${Math.max(...load).toFixed(0)}%` : '') + waitNote(quiet));
      if (checkThis) {
        const outdir = path.join(OUT_DIR, 'runs', `library-${sizeKey(size)}-${r}`);
        for (let c = 0; c < options.consistency; c++) {
          const waited = waitNote(await waitForQuiet(options.maxWaitMs));
          const check = await runConsistency(workers.consistency, outdir);
          checkRuns.push(check);
          console.log(`  ${describeSize(size).padStart(9)}, ConsistencyCheck.checkFleet ${c + 1}/${options.consistency}: `
            + `${sec(check.checkMs)} s (process ${sec(check.wallMs)} s, ${mib(check.maxRssKb)} MiB), ${count(check.objects)} objects, `
            + `${check.findings} findings` + waited);
        }
        if (!options.keep) fs.rmSync(outdir, { recursive: true, force: true });
      }
    }
  }

  const med = (variant: Variant, size: FleetSize, f: (r: Run) => number) => median(runs.get(key(variant, size))!.map(f));
  const ms = (variant: Variant, size: FleetSize, f: (r: Run) => number) => med(variant, size, f).toFixed(0);
  console.log('');
  console.log('medians per size. wall: spawn to exit. in-proc: build + GitOps write + tf synth (no start-up, no module loading), wall and CPU.');
  console.log('cpu: user + system time of the whole process, all threads. load/build/write/synth: in-process wall times.');
  const rows: string[][] = [];
  for (const size of options.sizes) {
    for (const variant of ['library', 'baseline'] as Variant[]) {
      rows.push([
        describeSize(size),
        count(placements(size)),
        variant,
        String(runs.get(key(variant, size))!.length),
        sec(med(variant, size, (r) => r.wallMs)),
        sec(med(variant, size, (r) => r.inProcessMs)),
        sec(med(variant, size, (r) => r.inProcessCpuMs)),
        sec(med(variant, size, (r) => r.cpuMs)),
        ms(variant, size, (r) => r.loadMs),
        ms(variant, size, (r) => r.buildMs),
        ms(variant, size, (r) => r.k8sWriteMs),
        ms(variant, size, (r) => r.tfSynthMs),
        mib(med(variant, size, (r) => r.maxRssKb)),
        mb(med(variant, size, (r) => r.gitopsBytes + r.tfBytes)),
        count(med(variant, size, (r) => r.gitopsFiles)),
      ]);
    }
  }
  console.log(table(
    ['clusters x tenants', 'placements', 'variant', 'runs', 'wall s', 'in-proc s', 'in-proc cpu s', 'cpu s', 'load ms', 'build ms',
      'gitops write ms', 'tf synth ms', 'peak RSS MiB', 'output MiB', 'gitops files'],
    rows,
    'lrlrrrrrrrrrrrr',
  ));

  console.log('');
  const ratios = new Map<string, { wall: number; rss: number }>();
  for (const size of options.sizes) {
    const libRuns = runs.get(key('library', size))!;
    const baseRuns = runs.get(key('baseline', size))!;
    const r = (f: (run: Run) => number) => med('library', size, f) / med('baseline', size, f);
    const ratio = { wall: r((x) => x.wallMs), rss: r((x) => x.maxRssKb) };
    ratios.set(sizeKey(size), ratio);
    const pairRatios = libRuns.map((x, i) => x.wallMs / baseRuns[i].wallMs);
    console.log(`ratio ${describeSize(size)}: wall ${fixed2(ratio.wall)}, peak RSS ${fixed2(ratio.rss)}`);
    console.log(`  whole-process wall, medians: library ${sec(med('library', size, (x) => x.wallMs))} s / baseline `
      + `${sec(med('baseline', size, (x) => x.wallMs))} s (median of the ${pairRatios.length} per-pair ratios: ${fixed2(median(pairRatios))})`);
    console.log(`  in-process build+write+synth: wall ${fixed2(r((x) => x.inProcessMs))}, CPU ${fixed2(r((x) => x.inProcessCpuMs))}; `
      + `build ${fixed2(r((x) => x.buildMs))}, GitOps write ${fixed2(r((x) => x.k8sWriteMs))}, tf synth ${fixed2(r((x) => x.tfSynthMs))}; `
      + `whole-process CPU ${fixed2(r((x) => x.cpuMs))}; module load ${ms('library', size, (x) => x.loadMs)} / `
      + `${ms('baseline', size, (x) => x.loadMs)} ms; output size ${fixed2(r((x) => x.gitopsBytes + x.tfBytes))}`);
  }

  const growths: Array<{ from: FleetSize; to: FleetSize; linear: number; library: number; baseline: number }> = [];
  if (options.sizes.length > 1) console.log('');
  for (let i = 1; i < options.sizes.length; i++) {
    const [a, b] = [options.sizes[i - 1], options.sizes[i]];
    const g = (variant: Variant, f: (r: Run) => number) => med(variant, b, f) / med(variant, a, f);
    const linear = placements(b) / placements(a);
    const growth = { from: a, to: b, linear, library: g('library', (r) => r.inProcessMs), baseline: g('baseline', (r) => r.inProcessMs) };
    growths.push(growth);
    console.log(`growth ${describeSize(a)} -> ${describeSize(b)} (${fixed2(linear)} = linear): library ${fixed2(growth.library)}, baseline ${fixed2(growth.baseline)}`);
    console.log('  in-process build+write+synth wall time. Library: '
      + `build ${fixed2(g('library', (r) => r.buildMs))}, GitOps write ${fixed2(g('library', (r) => r.k8sWriteMs))}, `
      + `tf synth ${fixed2(g('library', (r) => r.tfSynthMs))}; whole-process wall ${fixed2(g('library', (r) => r.wallMs))} (includes start-up), `
      + `peak RSS ${fixed2(g('library', (r) => r.maxRssKb))}. Baseline: whole-process wall ${fixed2(g('baseline', (r) => r.wallMs))}, `
      + `peak RSS ${fixed2(g('baseline', (r) => r.maxRssKb))}`);
  }

  const check = checkRuns.length > 0 ? {
    seconds: median(checkRuns.map((c) => c.checkMs)) / 1000,
    wallMs: median(checkRuns.map((c) => c.wallMs)),
    rssKb: median(checkRuns.map((c) => c.maxRssKb)),
    objects: checkRuns[0].objects,
    clusters: checkRuns[0].clusters,
    stacks: checkRuns[0].stacks,
    resources: checkRuns[0].resources,
    findings: Math.max(...checkRuns.map((c) => c.findings)),
    sample: checkRuns.find((c) => c.findings > 0)?.sample ?? [],
  } : undefined;
  if (check) {
    console.log('');
    console.log(`ConsistencyCheck.checkFleet over the library output of ${describeSize(largest)}: ${check.seconds.toFixed(2)} s `
      + `(median of ${checkRuns.length}; process ${sec(check.wallMs)} s, peak RSS ${mib(check.rssKb)} MiB); `
      + `${count(check.objects)} Kubernetes objects in ${check.clusters} clusters against ${check.stacks} stacks `
      + `(${count(check.resources)} resources); ${check.findings} findings`);
    for (const f of check.sample) console.log(`  - ${f}`);
  }

  console.log('');
  console.log('targets:');
  const worst = (f: (x: { wall: number; rss: number }) => number) => [...ratios.entries()].sort((x, y) => f(y[1]) - f(x[1]))[0];
  const [wallAt, wallRatio] = worst((x) => x.wall);
  const [rssAt, rssRatio] = worst((x) => x.rss);
  console.log(`  synth wall ratio <= ${TARGET_RATIO} at every size: ${wallRatio.wall <= TARGET_RATIO ? 'MET' : 'MISSED'} `
    + `(highest ${fixed2(wallRatio.wall)} at ${wallAt})`);
  console.log(`  peak RSS ratio <= ${TARGET_RATIO} at every size: ${rssRatio.rss <= TARGET_RATIO ? 'MET' : 'MISSED'} `
    + `(highest ${fixed2(rssRatio.rss)} at ${rssAt})`);
  if (!options.sizes.some((s) => sizeKey(s) === sizeKey(HEADLINE))) {
    console.log(`  note: the headline size ${describeSize(HEADLINE)} was not measured`);
  }
  if (growths.length === 0) {
    console.log('  linear growth: not measured (give two sizes, e.g. --clusters 10,50)');
  }
  for (const g of growths) {
    const limit = g.linear * TARGET_GROWTH_SLACK;
    console.log(`  linear growth ${describeSize(g.from)} -> ${describeSize(g.to)} (<= ${fixed2(limit)}; ${fixed2(g.linear)} = linear): `
      + `${g.library <= limit ? 'MET' : 'MISSED'} (library ${fixed2(g.library)}; baseline ${fixed2(g.baseline)})`);
  }
  if (check) console.log(`  ConsistencyCheck finds nothing in the library output: ${check.findings === 0 ? 'MET' : 'MISSED'} (${check.findings} findings)`);
  const loads = [...runs.values()].flat().map((r) => r.otherLoadPercent).filter((x): x is number => x !== undefined);
  if (loads.length > 0) {
    const busy = median(loads) > 5;
    console.log(`noise: other processes used ${median(loads).toFixed(0)}% (median), ${Math.max(...loads).toFixed(0)}% (max) of the CPUs during the runs`
      + (busy ? '; the machine was busy: wall times are inflated, CPU times and ratios less so; rerun (or raise --reps)' : ''));
  }

  // The README table.
  console.log('');
  console.log(`README table (node ${process.version}, ${os.cpus().length} CPUs; medians; wall = spawn to exit of a fresh process):`);
  console.log('');
  const readmeRows: string[][] = options.sizes.map((size) => {
    const ratio = ratios.get(sizeKey(size))!;
    return [
      `${describeSize(size)} (${count(placements(size))} placements, ${count(placements(size) * 2)} certificates)`,
      `${sec(med('library', size, (r) => r.wallMs))} s`,
      `${sec(med('baseline', size, (r) => r.wallMs))} s`,
      fixed2(ratio.wall),
      `${mib(med('library', size, (r) => r.maxRssKb))} MiB`,
      `${mib(med('baseline', size, (r) => r.maxRssKb))} MiB`,
      fixed2(ratio.rss),
    ];
  });
  console.log(markdown(['fleet (clusters x tenants)', 'library wall', 'baseline wall', 'ratio', 'library peak RSS', 'baseline peak RSS', 'ratio'],
    readmeRows, 'lrrrrrr'));
  if (growths.length > 0 || check) {
    console.log('');
    const extra: string[][] = growths.map((g) => [
      `growth ${describeSize(g.from)} -> ${describeSize(g.to)}, in-process synth time`,
      `${fixed2(g.library)} (baseline ${fixed2(g.baseline)}; ${fixed2(g.linear)} = linear)`,
    ]);
    if (check) {
      extra.push([
        `ConsistencyCheck.checkFleet, ${describeSize(largest)}`,
        `${check.seconds.toFixed(2)} s for ${count(check.objects)} objects and ${count(check.resources)} Terraform resources, ${check.findings} findings`,
      ]);
    }
    console.log(markdown(['measure', 'result'], extra, 'll'));
  }
}

async function runProfile(options: Options, workers: { synth: string; consistency: string }): Promise<void> {
  const size = options.sizes[0];
  const dir = path.join(KEEP_DIR, 'profile');
  fs.mkdirSync(dir, { recursive: true });
  const name = `${options.variant}-${sizeKey(size)}.cpuprofile`;
  fs.rmSync(path.join(dir, name), { force: true });
  const profiler = ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}`, '--cpu-prof-interval=250'];
  if (options.variant === 'consistency') {
    const outdir = path.join(dir, `library-${sizeKey(size)}-out`);
    console.log(`synthesizing the library output of ${describeSize(size)} (not profiled)...`);
    await runWorker(workers.synth, 'library', size, outdir);
    const check = await runConsistency(workers.consistency, outdir, profiler);
    console.log(`profiled ConsistencyCheck.checkFleet, ${describeSize(size)}: ${sec(check.checkMs)} s (profiler on), `
      + `${count(check.objects)} objects, ${check.findings} findings`);
  } else {
    const run = await runWorker(workers.synth, options.variant, size, path.join(dir, `${options.variant}-${sizeKey(size)}-out`), profiler);
    console.log(`profiled ${options.variant}, ${describeSize(size)}: wall ${sec(run.wallMs)} s (profiler on), load ${run.loadMs.toFixed(0)} ms, `
      + `build ${run.buildMs.toFixed(0)} ms, GitOps write ${run.k8sWriteMs.toFixed(0)} ms, tf synth ${run.tfSynthMs.toFixed(0)} ms`);
  }
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
  checkLib();
  const workers = prepareWorkers();
  console.log(`cdk8s-vault-pki fleet bench: node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model.trim()}), `
    + `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB${process.env.NODE_OPTIONS ? `, NODE_OPTIONS=${process.env.NODE_OPTIONS}` : ''}`);
  console.log(`each run: a fresh \`node .bench/worker.js\` process (plain JS, compiled lib/), outputs under ${OUT_DIR}`);
  if (options.profile) {
    await runProfile(options, workers);
    return;
  }
  console.log(`sizes (clusters x tenants, every tenant on every cluster, 2 certificates each): ${options.sizes.map(describeSize).join(', ')}; `
    + `repetitions ${options.reps.join(', ')}; library and baseline alternate in pairs, medians reported`);
  if (options.check) await equivalenceCheck(workers.synth, options.check);
  console.log('');
  await benchmark(options, workers);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
