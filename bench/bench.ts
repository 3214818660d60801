// `npm run bench [-- options]`: the fleet benchmark. C clusters x T tenants, every tenant placed on every cluster
// (C x T placements, 2 certificates each), both halves in one program: the Vault Terraform (cdktf: the hierarchy's
// stack with one auth mount per cluster, a CA publication stack per cluster, 10 tenant shards) and the cluster
// manifests (one ClusterChart per cluster with a TrustBundle and PkiAlerts), written as a GitOps tree by
// GitOpsOutput.write() and synthesized by cdktf. Three implementations of the same output are measured side by side:
//
//   library   the library, compiled (lib/), as users run it
//   baseline  raw cdk8s/cdktf: plain ApiObjects and provider resources, its own writer (bench/scenario-baseline.ts)
//   floor     the serialization floor: the same objects as plain data in their final form, cdk8s's Yaml.stringify,
//             one write per file, one JSON.stringify per stack (bench/scenario-floor.ts)
//
// Before timing a size, one untimed run of each variant proves the outputs identical (every GitOps file byte for byte;
// Terraform identical once cdktf's construct-path metadata is dropped). Then each repetition runs every variant in a
// fresh `node` process, rotating who goes first; medians are reported: whole-process wall time, CPU time (user +
// system) and peak RSS, the in-process build/write/synth times, and the ratios library/baseline (the target: at most
// 1.15 for wall, CPU and peak RSS at every size), library/floor and baseline/floor. Then ConsistencyCheck.checkFleet()
// over the library's output of every size from 2,000 placements on.
//
//   --sizes 1x10,1x100,10x200,50x200,1x10000   the sizes, <clusters>x<tenants> (this list is the default)
//   --clusters 10,50 --tenants 200   instead of --sizes: every clusters x tenants combination
//   --reps 3 | --reps 5,5,3,3,3   repetitions per size (default 5, and 3 from 2000 placements on)
//   --check each             prove the outputs identical at every measured size before timing it (default); `0` skips,
//                            <clusters>x<tenants> checks that one size only
//   --variants library,baseline,floor   which variants run (library and baseline always)
//   --consistency 1          ConsistencyCheck runs per size from 2000 placements (0 skips them)
//   --target 1.15            the library/baseline ratio to meet (wall, CPU, peak RSS medians)
//   --max-ratio 1.3          exit with status 1 when a library/baseline ratio is above this (a regression guard for CI)
//   --keep                   keep every run's output under <out>/runs/
//   --out /dev/shm/...       where runs write (default: /dev/shm/cdk8s-vault-pki-bench where /dev/shm exists, a
//                            memory-backed filesystem, so disk latency does not swamp the comparison; else bench/out)
//   --max-wait 10            before each repetition, wait up to this many seconds for other processes to
//                            go (nearly) idle (0: don't wait); busy runs are flagged either way
//   --profile                instead of benchmarking: one run (first size; default 10 x 200) under
//                            `node --cpu-prof`, then its hot spots
//   --variant baseline       with --profile: profile the baseline, the floor, or `consistency` (the ConsistencyCheck
//                            of a library output) instead of the library
//   --top 25                 with --profile: rows per table
//   --help                   this text
//
// Full run: `npm run bench` (the five sizes of issue 19, about 25 minutes on 2 cores).
// CI guard: `npm run bench -- --sizes 1x10,2x50 --reps 3 --consistency 0 --max-ratio 1.3` (about a minute).
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
import { describeSize, FleetSize, Variant, VARIANTS } from './scenarios';

const ROOT = path.resolve(__dirname, '..');
const BENCH_DIR = __dirname;
const WORKER_DIR = path.join(ROOT, '.bench');
/** Where runs write by default: a memory-backed filesystem when there is one (every variant writes the same bytes). */
const DEFAULT_OUT_DIR = fs.existsSync('/dev/shm') ? path.join('/dev/shm', 'cdk8s-vault-pki-bench') : path.join(BENCH_DIR, 'out');
/** Where equivalence outputs and profiles are kept (in the repository, git-ignored). */
const KEEP_DIR = path.join(BENCH_DIR, 'out');
let OUT_DIR = DEFAULT_OUT_DIR;

/** The sizes of issue 19. */
const DEFAULT_SIZES = '1x10,1x100,10x200,50x200,1x10000';
/** The target of issue 19: library/baseline ratio of the medians (wall time, CPU time and peak RSS). */
const TARGET_RATIO = 1.15;
/** Growth counts as linear up to 10% above the ratio of the placements. */
const TARGET_GROWTH_SLACK = 1.1;
/** From this many placements on, 3 repetitions by default instead of 5, and ConsistencyCheck runs. */
const LARGE_PLACEMENTS = 2000;
/** Before each repetition, wait for other processes to use less than this share of the CPUs... */
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
  /** 'each': every measured size; a size: that one only; undefined: no check. */
  readonly check?: 'each' | FleetSize;
  readonly variants: Variant[];
  readonly consistency: number;
  readonly target: number;
  readonly maxRatio?: number;
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

/** The three measures the target applies to. */
interface Ratios {
  readonly wall: number;
  readonly cpu: number;
  readonly rss: number;
}

const placements = (size: FleetSize) => size.clusters * size.tenants;
const sizeKey = (size: FleetSize) => `${size.clusters}x${size.tenants}`;

function parseSize(text: string, option: string): FleetSize {
  const m = /^\s*(\d+)\s*x\s*(\d+)\s*$/.exec(text);
  if (!m || Number(m[1]) < 1) throw new Error(`${option}: '${text}' is not <clusters>x<tenants> (e.g. 10x200)`);
  return { clusters: Number(m[1]), tenants: Number(m[2]) };
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
  const known = ['sizes', 'clusters', 'tenants', 'reps', 'check', 'variants', 'consistency', 'target', 'max-ratio', 'variant', 'top', 'max-wait', 'out'];
  for (const key of values.keys()) {
    if (!known.includes(key)) throw new Error(`unknown option '--${key}'`);
  }
  const numbers = (key: string, fallback: string) => (values.get(key) ?? fallback).split(',').map((s) => {
    const n = Number(s.trim());
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${key}: '${s}' is not a whole number`);
    return n;
  });
  const decimal = (key: string): number | undefined => {
    if (!values.has(key)) return undefined;
    const n = Number(values.get(key));
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${key}: '${values.get(key)}' is not a positive number`);
    return n;
  };
  const profile = flags.has('profile');
  let sizes: FleetSize[];
  if (values.has('clusters') || values.has('tenants')) {
    if (values.has('sizes')) throw new Error('give --sizes, or --clusters and --tenants, not both');
    const clusters = numbers('clusters', profile ? '10' : '50');
    const tenants = numbers('tenants', '200');
    if (clusters.some((c) => c < 1)) throw new Error('--clusters: every count must be at least 1');
    sizes = clusters.flatMap((c) => tenants.map((t) => ({ clusters: c, tenants: t })));
  } else {
    sizes = (values.get('sizes') ?? (profile ? '10x200' : DEFAULT_SIZES)).split(',').map((t) => parseSize(t, '--sizes'));
  }
  sizes = sizes.filter((s, i, all) => all.findIndex((o) => sizeKey(o) === sizeKey(s)) === i)
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
  if (![...VARIANTS, 'consistency'].includes(variant)) throw new Error(`--variant: '${variant}' is not ${VARIANTS.join(', ')} or consistency`);
  const variants = (values.get('variants') ?? VARIANTS.join(',')).split(',').map((v) => v.trim()) as Variant[];
  const unknownVariant = variants.find((v) => !VARIANTS.includes(v));
  if (unknownVariant) throw new Error(`--variants: '${unknownVariant}' is not one of ${VARIANTS.join(', ')}`);
  const checkText = (values.get('check') ?? 'each').trim();
  const check = checkText === '0' ? undefined : checkText === 'each' ? 'each' as const : parseSize(checkText, '--check');
  return {
    help: flags.has('help'),
    sizes,
    reps,
    check,
    variants: VARIANTS.filter((v) => v === 'library' || v === 'baseline' || variants.includes(v)),
    consistency: numbers('consistency', '1')[0],
    target: decimal('target') ?? TARGET_RATIO,
    maxRatio: decimal('max-ratio'),
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

/**
 * Runs every variant once at `size` (untimed) and proves their outputs identical: the library's against the baseline's
 * (GitOps bytes, manifest.json bytes, stacks without '//') and against the floor's (the same, manifest.json as data).
 */
async function equivalenceCheck(worker: string, size: FleetSize, variants: Variant[], keep: boolean): Promise<void> {
  const dir = path.join(keep ? KEEP_DIR : OUT_DIR, 'equivalence', sizeKey(size));
  const outdir = (variant: Variant) => path.join(dir, variant);
  const runs = new Map<Variant, Run>();
  for (const variant of variants) runs.set(variant, await runWorker(worker, variant, size, outdir(variant)));
  const what = `${describeSize(size)} (${count(placements(size))} placements)`;
  const lines: string[] = [];
  let failed = false;
  for (const other of variants.filter((v) => v !== 'library')) {
    const report = compareOutputs(outdir('library'), outdir(other), { manifest: other === 'floor' ? 'parsed' : 'bytes', other });
    if (!report.equivalent) {
      failed = true;
      lines.push(`  library vs ${other}: ${report.differences.length} differences:`);
      // The first few of each side, so a Terraform difference is not hidden behind many GitOps ones.
      const isTerraform = (d: string) => d.startsWith('tf/') || d.startsWith('Terraform');
      for (const group of [report.differences.filter((d) => !isTerraform(d)), report.differences.filter(isTerraform)]) {
        for (const d of group.slice(0, 5)) lines.push(`  - ${d}`);
        if (group.length > 5) lines.push(`  ... and ${group.length - 5} more like these`);
      }
      continue;
    }
    lines.push(`  library = ${other}: all ${count(report.gitopsFiles)} GitOps files byte-identical (${report.clusters} clusters, `
      + `${count(report.k8sObjects)} objects); ${report.stacks} stacks, ${count(report.tfResources)} resources identical without '//'`
      + (other === 'floor' ? ' (manifest.json as data)' : ', manifest.json byte-identical'));
  }
  if (failed) {
    console.log(`equivalence ${what}: FAILED, the outputs differ`);
    for (const l of lines) console.log(l);
    console.log(`  outputs kept in ${dir}/`);
    throw new Error('the variants\' outputs differ; fix bench/scenario-baseline.ts or bench/scenario-floor.ts (or the library) before measuring');
  }
  console.log(`equivalence ${what}: OK (untimed runs: library ${sec(runs.get('library')!.wallMs)} s, `
    + variants.filter((v) => v !== 'library').map((v) => `${v} ${sec(runs.get(v)!.wallMs)} s`).join(', ') + ')');
  for (const l of lines) console.log(l);
  if (!keep) fs.rmSync(dir, { recursive: true, force: true });
}

async function benchmark(options: Options, workers: { synth: string; consistency: string }): Promise<boolean> {
  const runs = new Map<string, Run[]>();
  const key = (variant: Variant, size: FleetSize) => `${variant}:${sizeKey(size)}`;
  const checkRuns = new Map<string, CheckRun[]>();
  const variants = options.variants;
  const others = variants.filter((v) => v !== 'library');
  for (const [index, size] of options.sizes.entries()) {
    if (options.check === 'each') await equivalenceCheck(workers.synth, size, variants, options.keep);
    const reps = options.reps[index];
    const large = placements(size) >= LARGE_PLACEMENTS;
    for (let r = 0; r < reps; r++) {
      const quiet = await waitForQuiet(options.maxWaitMs);
      // Rotate who goes first, so drift (thermal, page cache, neighbours) hits every variant alike.
      const order = variants.map((_, i) => variants[(i + r) % variants.length]);
      const done: Partial<Record<Variant, Run>> = {};
      // The last library output of a large size stays until ConsistencyCheck has read it.
      const checkThis = options.consistency > 0 && large && r === reps - 1;
      for (const variant of order) {
        const outdir = path.join(OUT_DIR, 'runs', `${variant}-${sizeKey(size)}-${r}`);
        const run = await runWorker(workers.synth, variant, size, outdir);
        if (!options.keep && !(checkThis && variant === 'library')) fs.rmSync(outdir, { recursive: true, force: true });
        done[variant] = run;
        runs.set(key(variant, size), [...(runs.get(key(variant, size)) ?? []), run]);
      }
      const load = Object.values(done).map((x) => x!.otherLoadPercent).filter((x): x is number => x !== undefined);
      console.log(`  ${describeSize(size).padStart(9)}, run ${r + 1}/${reps} (${order.join(', ')}): `
        + variants.map((v) => `${v} ${sec(done[v]!.wallMs)} s ${sec(done[v]!.cpuMs)} cpu ${mib(done[v]!.maxRssKb)} MiB`).join('; ')
        + (load.length > 0 ? `; other processes' CPU ${Math.max(...load).toFixed(0)}%` : '') + waitNote(quiet));
      if (checkThis) {
        const outdir = path.join(OUT_DIR, 'runs', `library-${sizeKey(size)}-${r}`);
        for (let c = 0; c < options.consistency; c++) {
          const waited = waitNote(await waitForQuiet(options.maxWaitMs));
          const check = await runConsistency(workers.consistency, outdir);
          checkRuns.set(sizeKey(size), [...(checkRuns.get(sizeKey(size)) ?? []), check]);
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
  console.log('medians per size. wall: spawn to exit. cpu: user + system time of the whole process, all threads. in-proc: build + GitOps');
  console.log('write + tf synth (no start-up, no module loading), wall and CPU. load/build/write/synth: in-process wall times.');
  const rows: string[][] = [];
  for (const size of options.sizes) {
    for (const variant of variants) {
      rows.push([
        describeSize(size),
        count(placements(size)),
        variant,
        String(runs.get(key(variant, size))!.length),
        sec(med(variant, size, (r) => r.wallMs)),
        sec(med(variant, size, (r) => r.cpuMs)),
        mib(med(variant, size, (r) => r.maxRssKb)),
        sec(med(variant, size, (r) => r.inProcessMs)),
        sec(med(variant, size, (r) => r.inProcessCpuMs)),
        ms(variant, size, (r) => r.loadMs),
        ms(variant, size, (r) => r.buildMs),
        ms(variant, size, (r) => r.k8sWriteMs),
        ms(variant, size, (r) => r.tfSynthMs),
        mb(med(variant, size, (r) => r.gitopsBytes + r.tfBytes)),
        count(med(variant, size, (r) => r.gitopsFiles)),
      ]);
    }
  }
  console.log(table(
    ['clusters x tenants', 'placements', 'variant', 'runs', 'wall s', 'cpu s', 'peak RSS MiB', 'in-proc s', 'in-proc cpu s', 'load ms',
      'build ms', 'gitops write ms', 'tf synth ms', 'output MiB', 'gitops files'],
    rows,
    'lrlrrrrrrrrrrrr',
  ));

  const ratioOf = (a: Variant, b: Variant, size: FleetSize): Ratios => {
    const r = (f: (run: Run) => number) => med(a, size, f) / med(b, size, f);
    return { wall: r((x) => x.wallMs), cpu: r((x) => x.cpuMs), rss: r((x) => x.maxRssKb) };
  };
  const fmt = (x: Ratios) => `wall ${fixed2(x.wall)}, CPU ${fixed2(x.cpu)}, peak RSS ${fixed2(x.rss)}`;
  console.log('');
  console.log(`ratios of the medians (the target: library / baseline <= ${options.target} for wall, CPU and peak RSS at every size):`);
  const libVsBase = new Map<string, Ratios>();
  for (const size of options.sizes) {
    const ratio = ratioOf('library', 'baseline', size);
    libVsBase.set(sizeKey(size), ratio);
    const met = ratio.wall <= options.target && ratio.cpu <= options.target && ratio.rss <= options.target;
    console.log(`  ${describeSize(size).padStart(9)}: library / baseline ${fmt(ratio)}: ${met ? 'MET' : 'MISSED'}`);
    for (const other of others.filter((v) => v === 'floor')) {
      console.log(`  ${''.padStart(9)}  library / floor    ${fmt(ratioOf('library', other, size))}`);
      console.log(`  ${''.padStart(9)}  baseline / floor   ${fmt(ratioOf('baseline', other, size))}`);
    }
    const libRuns = runs.get(key('library', size))!;
    const baseRuns = runs.get(key('baseline', size))!;
    const perRep = (f: (x: Run) => number) => median(libRuns.map((x, i) => f(x) / f(baseRuns[i])));
    const r = (f: (run: Run) => number) => med('library', size, f) / med('baseline', size, f);
    console.log(`  ${''.padStart(9)}  (medians of the per-repetition library/baseline ratios: wall ${fixed2(perRep((x) => x.wallMs))}, `
      + `CPU ${fixed2(perRep((x) => x.cpuMs))}, peak RSS ${fixed2(perRep((x) => x.maxRssKb))}; in-process: build ${fixed2(r((x) => x.buildMs))}, `
      + `GitOps write ${fixed2(r((x) => x.k8sWriteMs))}, tf synth ${fixed2(r((x) => x.tfSynthMs))}; module load `
      + `${ms('library', size, (x) => x.loadMs)} / ${ms('baseline', size, (x) => x.loadMs)} ms)`);
  }

  const growths: Array<{ from: FleetSize; to: FleetSize; linear: number; library: number; baseline: number }> = [];
  for (let i = 1; i < options.sizes.length; i++) {
    const [a, b] = [options.sizes[i - 1], options.sizes[i]];
    if (placements(a) === placements(b)) continue;
    const g = (variant: Variant) => med(variant, b, (r) => r.inProcessMs) / med(variant, a, (r) => r.inProcessMs);
    growths.push({ from: a, to: b, linear: placements(b) / placements(a), library: g('library'), baseline: g('baseline') });
  }
  if (growths.length > 0) {
    console.log('');
    console.log('growth of the in-process build+write+synth time between sizes (linear = the ratio of the placements):');
    for (const g of growths) {
      console.log(`  ${describeSize(g.from)} -> ${describeSize(g.to)} (${fixed2(g.linear)} = linear): library ${fixed2(g.library)}, baseline ${fixed2(g.baseline)}`);
    }
  }

  const checks = [...checkRuns.entries()].map(([sizeText, list]) => ({
    size: options.sizes.find((s) => sizeKey(s) === sizeText)!,
    seconds: median(list.map((c) => c.checkMs)) / 1000,
    wallMs: median(list.map((c) => c.wallMs)),
    rssKb: median(list.map((c) => c.maxRssKb)),
    runs: list.length,
    objects: list[0].objects,
    clusters: list[0].clusters,
    stacks: list[0].stacks,
    resources: list[0].resources,
    findings: Math.max(...list.map((c) => c.findings)),
    sample: list.find((c) => c.findings > 0)?.sample ?? [],
  }));
  if (checks.length > 0) console.log('');
  for (const check of checks) {
    console.log(`ConsistencyCheck.checkFleet over the library output of ${describeSize(check.size)}: ${check.seconds.toFixed(2)} s `
      + `(median of ${check.runs}; process ${sec(check.wallMs)} s, peak RSS ${mib(check.rssKb)} MiB); `
      + `${count(check.objects)} Kubernetes objects in ${check.clusters} clusters against ${check.stacks} stacks `
      + `(${count(check.resources)} resources); ${check.findings} findings`);
    for (const f of check.sample) console.log(`  - ${f}`);
  }

  console.log('');
  console.log('targets:');
  let allMet = true;
  for (const [measure, pick] of [['wall time', (x: Ratios) => x.wall], ['CPU time', (x: Ratios) => x.cpu], ['peak RSS', (x: Ratios) => x.rss]] as const) {
    const [at, worst] = [...libVsBase.entries()].sort((x, y) => pick(y[1]) - pick(x[1]))[0];
    const met = pick(worst) <= options.target;
    allMet = allMet && met;
    console.log(`  library / baseline ${measure} <= ${options.target} at every size: ${met ? 'MET' : 'MISSED'} (highest ${fixed2(pick(worst))} at ${at})`);
  }
  for (const g of growths) {
    const limit = g.linear * TARGET_GROWTH_SLACK;
    console.log(`  linear growth ${describeSize(g.from)} -> ${describeSize(g.to)} (<= ${fixed2(limit)}): `
      + `${g.library <= limit ? 'MET' : 'MISSED'} (library ${fixed2(g.library)}; baseline ${fixed2(g.baseline)})`);
  }
  for (const check of checks) {
    console.log(`  ConsistencyCheck.checkFleet at ${describeSize(check.size)} under 5 s with no finding: `
      + `${check.seconds < 5 && check.findings === 0 ? 'MET' : 'MISSED'} (${check.seconds.toFixed(2)} s, ${check.findings} findings)`);
  }
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
  const hasFloor = variants.includes('floor');
  const readmeRows: string[][] = options.sizes.map((size) => {
    const ratio = libVsBase.get(sizeKey(size))!;
    const floor = hasFloor ? ratioOf('library', 'floor', size) : undefined;
    const baseFloor = hasFloor ? ratioOf('baseline', 'floor', size) : undefined;
    return [
      describeSize(size),
      `${sec(med('library', size, (r) => r.wallMs))} s`,
      `${sec(med('baseline', size, (r) => r.wallMs))} s`,
      ...(hasFloor ? [`${sec(med('floor', size, (r) => r.wallMs))} s`] : []),
      `${fixed2(ratio.wall)} / ${fixed2(ratio.cpu)} / ${fixed2(ratio.rss)}`,
      ...(hasFloor ? [`${fixed2(floor!.wall)} / ${fixed2(floor!.cpu)}`, `${fixed2(baseFloor!.wall)} / ${fixed2(baseFloor!.cpu)}`] : []),
      `${mib(med('library', size, (r) => r.maxRssKb))} / ${mib(med('baseline', size, (r) => r.maxRssKb))}`
        + (hasFloor ? ` / ${mib(med('floor', size, (r) => r.maxRssKb))}` : ''),
    ];
  });
  console.log(markdown(['fleet', 'library', 'baseline', ...(hasFloor ? ['floor'] : []), 'library / baseline: wall / CPU / RSS',
    ...(hasFloor ? ['library / floor: wall / CPU', 'baseline / floor: wall / CPU'] : []),
    `peak RSS MiB (library / baseline${hasFloor ? ' / floor' : ''})`],
  readmeRows, hasFloor ? 'lrrrrrrr' : 'lrrrr'));

  if (options.maxRatio !== undefined) {
    const over = [...libVsBase.entries()].filter(([, x]) => x.wall > options.maxRatio! || x.cpu > options.maxRatio! || x.rss > options.maxRatio!);
    console.log('');
    console.log(`regression guard (library / baseline <= ${options.maxRatio} for wall, CPU and peak RSS): `
      + (over.length === 0 ? 'OK' : `FAILED at ${over.map(([at, x]) => `${at} (${fmt(x)})`).join('; ')}`));
    return over.length === 0;
  }
  if (!allMet) console.log(`the target of ${options.target} is missed (see above)`);
  return true;
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
    + `repetitions ${options.reps.join(', ')}; variants ${options.variants.join(', ')} in a rotating order, medians reported`);
  if (options.check !== undefined && options.check !== 'each') await equivalenceCheck(workers.synth, options.check, options.variants, true);
  console.log('');
  const ok = await benchmark(options, workers);
  if (!ok) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
