// Checks that the library's and the baseline's outputs hold the same objects, so the benchmark
// compares equal work.
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

/** The outcome of comparing the outputs of two runs. */
export interface EquivalenceReport {
  /** Both outputs hold the same objects (after normalizing). */
  readonly equivalent: boolean;
  /** Kubernetes YAML files are byte-identical (no normalizing at all). */
  readonly k8sByteIdentical: boolean;
  /** Terraform JSON is byte-identical once construct-path metadata ('//') is dropped. */
  readonly tfIdenticalAfterStrip: boolean;
  readonly k8sObjects: number;
  readonly tfResources: number;
  /** Every difference found (empty when equivalent). */
  readonly differences: string[];
}

/** Compares the outdirs of two worker runs (each with `k8s/` and `tf/`). */
export function compareOutputs(libraryDir: string, baselineDir: string): EquivalenceReport {
  const differences: string[] = [];

  // Kubernetes: the same YAML files, the same documents in the same order.
  const k8sLib = path.join(libraryDir, 'k8s');
  const k8sBase = path.join(baselineDir, 'k8s');
  const files = yamlFiles(k8sLib);
  const baseFiles = yamlFiles(k8sBase);
  if (JSON.stringify(files) !== JSON.stringify(baseFiles)) {
    differences.push(`Kubernetes files differ: library ${files.join(', ')}; baseline ${baseFiles.join(', ')}`);
  }
  let k8sByteIdentical = differences.length === 0;
  let k8sObjects = 0;
  for (const file of files.filter((f) => baseFiles.includes(f))) {
    const a = fs.readFileSync(path.join(k8sLib, file), 'utf8');
    const b = fs.readFileSync(path.join(k8sBase, file), 'utf8');
    if (a !== b) k8sByteIdentical = false;
    const docsA = parseAllDocuments(a).map((d) => d.toJSON());
    const docsB = parseAllDocuments(b).map((d) => d.toJSON());
    k8sObjects += docsA.length;
    if (docsA.length !== docsB.length) {
      differences.push(`${file}: library has ${docsA.length} objects, baseline ${docsB.length}`);
    }
    for (let i = 0; i < Math.min(docsA.length, docsB.length); i++) {
      const diff = firstDifference(docsA[i], docsB[i], '');
      if (diff !== undefined) {
        differences.push(`${file} object #${i} (${docsA[i]?.kind} ${docsA[i]?.metadata?.namespace ?? ''}/${docsA[i]?.metadata?.name}): ${diff}`);
      }
    }
  }

  // Terraform: the same stack JSON once the construct paths (which name constructs, not resources) are dropped.
  const tfJson = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'tf', 'stacks', 'vault', 'cdk.tf.json'), 'utf8'));
  const tfLib = stripConstructMetadata(tfJson(libraryDir));
  const tfBase = stripConstructMetadata(tfJson(baselineDir));
  const tfIdenticalAfterStrip = JSON.stringify(tfLib) === JSON.stringify(tfBase);
  const tfDiff = firstDifference(tfLib, tfBase, '');
  if (tfDiff !== undefined) differences.push(`cdk.tf.json: ${tfDiff}`);
  const manifest = (dir: string) => fs.readFileSync(path.join(dir, 'tf', 'manifest.json'), 'utf8');
  if (manifest(libraryDir) !== manifest(baselineDir)) differences.push('tf/manifest.json differs');
  const tfResources = Object.values<Record<string, unknown>>(tfLib.resource ?? {})
    .reduce((n, byId) => n + Object.keys(byId).length, 0);

  return {
    equivalent: differences.length === 0,
    k8sByteIdentical,
    tfIdenticalAfterStrip,
    k8sObjects,
    tfResources,
    differences,
  };
}

function yamlFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
}

/** Drops each resource's `//` block (`metadata.path` is the construct path, `uniqueId` its logical id). */
function stripConstructMetadata(stack: any): any {
  for (const byId of Object.values<Record<string, any>>(stack.resource ?? {})) {
    for (const resource of Object.values(byId)) delete resource['//'];
  }
  return stack;
}

/** The path of the first difference between two JSON values (object key order ignored), or undefined. */
function firstDifference(a: unknown, b: unknown, at: string): string | undefined {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) return `${at || '.'}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
    if (a.length !== b.length) return `${at || '.'}: ${a.length} items vs ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${at}[${i}]`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      const d = firstDifference((a as any)[k], (b as any)[k], `${at}.${k}`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  return a === b ? undefined : `${at || '.'}: library ${JSON.stringify(a)}, baseline ${JSON.stringify(b)}`;
}
