// Checks that the library's and the baseline's outputs are the same, so the benchmark compares equal work: every
// file of the GitOps tree byte-identical, cdktf's manifest.json identical, and every stack's cdk.tf.json identical
// once cdktf's construct-path metadata ('//' keys) is dropped.
import * as fs from 'fs';
import * as path from 'path';

/** The outcome of comparing the outputs of two runs. */
export interface EquivalenceReport {
  /** Both outputs are identical (GitOps files byte for byte, Terraform after dropping '//'). */
  readonly equivalent: boolean;
  /** Files in the GitOps tree (objects, kustomization.yaml files, inventory.json). */
  readonly gitopsFiles: number;
  /** Kubernetes object files among them. */
  readonly k8sObjects: number;
  /** Cluster folders. */
  readonly clusters: number;
  /** Terraform stacks (cdk.tf.json files). */
  readonly stacks: number;
  /** Terraform resources over every stack. */
  readonly tfResources: number;
  /** The stacks' cdk.tf.json are byte-identical even before dropping '//' (never expected: construct paths differ). */
  readonly tfByteIdentical: boolean;
  /** Every difference, each with its diff (empty when equivalent). */
  readonly differences: string[];
}

/**
 * Compares the outdirs of two worker runs (each with `gitops/` and `tf/`). `manifest: 'parsed'` compares cdktf's
 * manifest.json as data (the floor writes it with JSON.stringify, cdktf with its own layout), else byte for byte.
 */
export function compareOutputs(libraryDir: string, baselineDir: string, options: { manifest?: 'bytes' | 'parsed'; other?: string } = {}): EquivalenceReport {
  const other = options.other ?? 'baseline';
  const differences: string[] = [];

  // The GitOps tree: the same files, byte for byte.
  const gitLib = path.join(libraryDir, 'gitops');
  const gitBase = path.join(baselineDir, 'gitops');
  const files = listFiles(gitLib);
  const baseFiles = listFiles(gitBase);
  const baseSet = new Set(baseFiles);
  const libSet = new Set(files);
  const onlyLib = files.filter((f) => !baseSet.has(f));
  const onlyBase = baseFiles.filter((f) => !libSet.has(f));
  if (onlyLib.length > 0) differences.push(`GitOps files only the library writes (${onlyLib.length}): ${sample(onlyLib)}`);
  if (onlyBase.length > 0) differences.push(`GitOps files only the ${other} writes (${onlyBase.length}): ${sample(onlyBase)}`);
  for (const file of files.filter((f) => baseSet.has(f))) {
    const a = fs.readFileSync(path.join(gitLib, file), 'utf8');
    const b = fs.readFileSync(path.join(gitBase, file), 'utf8');
    if (a !== b) differences.push(`gitops/${file} differs:\n${lineDiff(a, b, 40, other)}`);
  }
  const k8sObjects = files.filter((f) => f.startsWith('clusters/') && f.endsWith('.yaml') && path.posix.basename(f) !== 'kustomization.yaml').length;
  const clusters = new Set(files.filter((f) => f.startsWith('clusters/')).map((f) => f.split('/')[1])).size;

  // Terraform: the same manifest, the same stacks, each stack's JSON identical without the '//' metadata.
  const manifest = (dir: string) => fs.readFileSync(path.join(dir, 'tf', 'manifest.json'), 'utf8');
  const asData = (text: string) => (options.manifest === 'parsed' ? JSON.stringify(JSON.parse(text), undefined, 2) : text);
  const manifestLib = asData(manifest(libraryDir));
  const manifestBase = asData(manifest(baselineDir));
  if (manifestLib !== manifestBase) differences.push(`tf/manifest.json differs:\n${lineDiff(manifestLib, manifestBase, 40, other)}`);
  const stacks = (dir: string) => listFiles(path.join(dir, 'tf', 'stacks')).filter((f) => path.posix.basename(f) === 'cdk.tf.json');
  const stacksLib = stacks(libraryDir);
  const stacksBase = stacks(baselineDir);
  if (stacksLib.join('\n') !== stacksBase.join('\n')) {
    differences.push(`Terraform stacks differ: library ${stacksLib.join(', ')}; ${other} ${stacksBase.join(', ')}`);
  }
  let tfResources = 0;
  let tfByteIdentical = true;
  for (const stack of stacksLib.filter((s) => stacksBase.includes(s))) {
    const rawLib = fs.readFileSync(path.join(libraryDir, 'tf', 'stacks', stack), 'utf8');
    const rawBase = fs.readFileSync(path.join(baselineDir, 'tf', 'stacks', stack), 'utf8');
    if (rawLib !== rawBase) tfByteIdentical = false;
    const lib = JSON.stringify(withoutConstructMetadata(JSON.parse(rawLib)), undefined, 2);
    const base = JSON.stringify(withoutConstructMetadata(JSON.parse(rawBase)), undefined, 2);
    if (lib !== base) differences.push(`tf/stacks/${stack} differs (after dropping '//'):\n${lineDiff(lib, base, 40, other)}`);
    tfResources += Object.values<Record<string, unknown>>(JSON.parse(rawLib).resource ?? {}).reduce((n, byId) => n + Object.keys(byId).length, 0);
  }

  return {
    equivalent: differences.length === 0,
    gitopsFiles: files.length,
    k8sObjects,
    clusters,
    stacks: stacksLib.length,
    tfResources,
    tfByteIdentical,
    differences,
  };
}

/** Every file under `dir`, as sorted '/'-separated paths relative to it. */
export function listFiles(dir: string, prefix = ''): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
    .sort();
}

/** Drops every `//` key: cdktf's metadata (each resource's construct path and unique id, the stack's metadata). */
function withoutConstructMetadata(value: any): any {
  if (Array.isArray(value)) return value.map(withoutConstructMetadata);
  if (value === null || typeof value !== 'object') return value;
  const out: any = {};
  for (const [k, v] of Object.entries(value)) if (k !== '//') out[k] = withoutConstructMetadata(v);
  return out;
}

function sample(items: string[]): string {
  return items.slice(0, 5).join(', ') + (items.length > 5 ? ', ...' : '');
}

/**
 * A compact unified-style diff (library lines '-', the other's lines '+', 2 lines of context, at most `maxLines` lines):
 * a longest-common-subsequence diff of the lines between the common prefix and suffix.
 */
export function lineDiff(a: string, b: string, maxLines = 40, other = 'baseline'): string {
  const x = a.split('\n');
  const y = b.split('\n');
  let start = 0;
  while (start < x.length && start < y.length && x[start] === y[start]) start++;
  let endX = x.length;
  let endY = y.length;
  while (endX > start && endY > start && x[endX - 1] === y[endY - 1]) {
    endX--;
    endY--;
  }
  const xs = x.slice(start, endX);
  const ys = y.slice(start, endY);
  // Edit script: ' ' same, '-' library only, '+' baseline only (with the library's line number for ' ' and '-').
  const ops: Array<{ op: ' ' | '-' | '+'; text: string; line: number }> = [];
  const context = 2;
  for (let i = Math.max(0, start - context); i < start; i++) ops.push({ op: ' ', text: x[i], line: i + 1 });
  if (xs.length * ys.length <= 4_000_000) {
    // lcs[i][j]: length of the LCS of xs[i..] and ys[j..].
    const lcs = Array.from({ length: xs.length + 1 }, () => new Uint32Array(ys.length + 1));
    for (let i = xs.length - 1; i >= 0; i--) {
      for (let j = ys.length - 1; j >= 0; j--) lcs[i][j] = xs[i] === ys[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
    let i = 0;
    let j = 0;
    while (i < xs.length || j < ys.length) {
      if (i < xs.length && j < ys.length && xs[i] === ys[j]) {
        ops.push({ op: ' ', text: xs[i], line: start + i + 1 });
        i++;
        j++;
      } else if (i < xs.length && (j >= ys.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
        ops.push({ op: '-', text: xs[i], line: start + i + 1 });
        i++;
      } else {
        ops.push({ op: '+', text: ys[j++], line: start + i + 1 });
      }
    }
  } else {
    ops.push(...xs.map((text, i) => ({ op: '-' as const, text, line: start + i + 1 })), ...ys.map((text) => ({ op: '+' as const, text, line: endX + 1 })));
  }
  for (let i = endX; i < Math.min(x.length, endX + context); i++) ops.push({ op: ' ', text: x[i], line: i + 1 });

  // Changed lines with their context; '...' where unchanged lines are left out.
  const changed = ops.map((o, i) => (o.op !== ' ' ? i : -1)).filter((i) => i >= 0);
  const keep = new Set(changed.flatMap((i) => Array.from({ length: 2 * context + 1 }, (_, k) => i - context + k)));
  const out = [`    (- library, + ${other}; from line ${ops.find((o) => o.op !== ' ')?.line ?? start + 1} of the library's file)`];
  let skipped = false;
  for (const [i, o] of ops.entries()) {
    if (!keep.has(i)) {
      skipped = true;
      continue;
    }
    if (skipped) out.push('    ...');
    skipped = false;
    out.push(`    ${o.op} ${o.text}`);
  }
  if (out.length > maxLines + 1) return [...out.slice(0, maxLines + 1), `    ... (${out.length - maxLines - 1} more diff lines)`].join('\n');
  return out.join('\n');
}
