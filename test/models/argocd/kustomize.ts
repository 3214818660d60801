/**
 * `kustomize build <path>` just far enough for the trees GitOpsOutput writes: a kustomization.yaml whose only field is
 * `resources:` (files and sub-folders that hold their own kustomization.yaml). Argo CD v3.5.1's repo server detects a
 * Kustomize source by the file name (util/app/discovery/discovery.go) and runs the bundled kustomize
 * (hack/tool-versions.sh: kustomize5_version=5.8.1).
 *
 * Not read from kustomize's source (approximated): the error texts; the output order (kustomize 5 reorders "legacy";
 * the sync engine sorts objects itself, so the order does not matter to the model). Any other kustomization field
 * (namespace, labels, patches, generators...) throws, so the model cannot silently ignore a transformer the library
 * might start to use.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { gvkOf, KubeObject } from './cluster';

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const MODELLED_FIELDS = new Set(['apiVersion', 'kind', 'resources']);

export function isKustomization(dir: string): boolean {
  return KUSTOMIZATION_FILES.some((f) => fs.existsSync(path.join(dir, f)));
}

function kustomizationFile(dir: string): string {
  const found = KUSTOMIZATION_FILES.map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
  if (!found) {
    throw new Error(`unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '${dir}'`);
  }
  return found;
}

function resId(obj: KubeObject): string {
  const { group, version, kind } = gvkOf(obj);
  return `${kind}.${version}.${group}/${obj.metadata?.name}.${obj.metadata?.namespace ?? ''}`;
}

/** The objects `kustomize build dir` outputs (see the module comment for what is modelled). */
export function kustomizeBuild(dir: string): KubeObject[] {
  const seen = new Map<string, string>();
  const out: KubeObject[] = [];
  accumulate(path.resolve(dir), out, seen, []);
  return out;
}

function accumulate(dir: string, out: KubeObject[], seen: Map<string, string>, stack: string[]): void {
  if (stack.includes(dir)) throw new Error(`cycle detected: candidate root '${dir}' contains visited root '${stack[stack.length - 1]}'`);
  const file = kustomizationFile(dir);
  const k = (yaml.load(fs.readFileSync(file, 'utf8')) ?? {}) as Record<string, any>;
  const unmodelled = Object.keys(k).filter((f) => !MODELLED_FIELDS.has(f));
  if (unmodelled.length > 0) throw new Error(`kustomize model: ${file} uses fields the model does not implement: ${unmodelled.join(', ')}`);
  for (const entry of (k.resources ?? []) as string[]) {
    const target = path.resolve(dir, entry);
    if (!fs.existsSync(target)) {
      throw new Error(`accumulating resources: accumulation err='accumulating resources from '${entry}': open ${target}: no such file or directory'`);
    }
    if (fs.statSync(target).isDirectory()) {
      accumulate(target, out, seen, [...stack, dir]);
      continue;
    }
    for (const doc of yaml.loadAll(fs.readFileSync(target, 'utf8'))) {
      if (doc === null || doc === undefined) continue;
      const obj = doc as KubeObject;
      if (!obj.apiVersion || !obj.kind || !obj.metadata?.name) throw new Error(`kustomize model: ${target}: missing apiVersion, kind or metadata.name`);
      const id = resId(obj);
      if (seen.has(id)) throw new Error(`may not add resource with an already registered id: ${id} (from ${target}, first from ${seen.get(id)})`);
      seen.set(id, target);
      out.push(obj);
    }
  }
}
