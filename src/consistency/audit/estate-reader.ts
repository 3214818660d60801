import * as fs from 'fs';
import * as path from 'path';
import { load } from 'js-yaml';
import { EstateInput, EstateObject, EstateStack } from './estate';
import { stackFromTerraformShow } from './terraform-show';
import { isVaultRead, stackFromVaultReads } from './vault-cli';
import { synthesizedStackFiles } from '../synthesized-stacks';

/** A file or folder the audit cannot read. @internal */
export class EstateReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EstateReadError';
    Object.setPrototypeOf(this, EstateReadError.prototype);
  }
}

/**
 * Reads an estate from files and folders (folders recursively, in name order; dot-folders and node_modules skipped):
 *
 * - Kubernetes YAML: multi-document files, `kind: List` (`kubectl get -A -o yaml`), Helm output, GitOps trees;
 *   `kubectl get -o json` output;
 * - Terraform: a `cdk.tf.json` (or any `*.tf.json`), a cdktf output folder (the stacks its manifest.json lists), and
 *   `terraform show -json` of a state or a plan (`values` / `planned_values`, child modules included);
 * - Vault CLI output: `vault read -format=json <path>` documents, each with the path it was read from added as `path`
 *   (a JSON array, JSON Lines, or one per file).
 *
 * Anything else (Helm values, kustomization.yaml, inventories) is listed as ignored. `show` turns a path into how
 * findings name the file.
 * @internal
 */
export function readEstate(paths: string[], show: (file: string) => string = (f) => f): EstateInput {
  const objects: EstateObject[] = [];
  const stacks: EstateStack[] = [];
  const ignored: string[] = [];
  for (const given of paths) {
    if (!fs.existsSync(given)) throw new EstateReadError(`${show(given)} does not exist`);
    for (const file of filesUnder(given)) {
      const name = show(file);
      const text = fs.readFileSync(file, 'utf8');
      const before = objects.length + stacks.length;
      if (/\.json$/i.test(file) || /\.jsonl$/i.test(file)) readJson(text, name, objects, stacks);
      else readYaml(text, name, objects);
      if (objects.length + stacks.length === before) ignored.push(name);
    }
  }
  return { objects, stacks, ignored };
}

/** The files to read under `given`: cdktf output folders contribute exactly their manifest's stacks. */
function filesUnder(given: string): string[] {
  if (!fs.statSync(given).isDirectory()) return [given];
  if (fs.existsSync(path.join(given, 'manifest.json')) && fs.existsSync(path.join(given, 'stacks'))) {
    try {
      return synthesizedStackFiles(given);
    } catch (e) {
      throw new EstateReadError((e as Error).message);
    }
  }
  return fs.readdirSync(given, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.') && e.name !== 'node_modules')
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) => {
      const full = path.join(given, e.name);
      if (e.isDirectory()) return filesUnder(full);
      return /\.(ya?ml|json|jsonl)$/i.test(e.name) ? [full] : [];
    });
}

/** Each YAML document of `text` with the line it starts on (documents split at `---` lines). */
function readYaml(text: string, file: string, objects: EstateObject[]): void {
  const lines = text.split(/\r?\n/);
  let start = 0;
  const documents: { text: string; line: number }[] = [];
  for (let i = 0; i <= lines.length; i++) {
    if (i === lines.length || /^---(\s|$)/.test(lines[i])) {
      documents.push({ text: lines.slice(start, i).join('\n'), line: start + 1 });
      start = i + 1;
    }
  }
  for (const doc of documents) {
    if (doc.text.trim() === '') continue;
    let value: any;
    try {
      value = load(doc.text);
    } catch (e) {
      throw new EstateReadError(`${file}:${doc.line}: ${(e as Error).message.split('\n')[0]}`);
    }
    const firstLine = doc.line + Math.max(0, doc.text.split('\n').findIndex((l) => l.trim() !== '' && !l.trim().startsWith('#')));
    addKubernetes(value, file, firstLine, listItemLines(doc.text, doc.line), objects);
  }
}

/** A Kubernetes object or List (its items, each with the line its `- ` entry starts on when the text shows it). */
function addKubernetes(value: any, file: string, line: number, itemLines: number[], objects: EstateObject[]): void {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return;
  if (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) {
    value.items.forEach((item: any, i: number) => {
      if (item && typeof item === 'object' && typeof item.kind === 'string' && typeof item.apiVersion === 'string') {
        objects.push({ object: item, file, line: itemLines.length === value.items.length ? itemLines[i] : line });
      }
    });
    return;
  }
  if (typeof value.kind === 'string' && typeof value.apiVersion === 'string' && value.metadata && typeof value.metadata === 'object') {
    objects.push({ object: value, file, line });
  }
}

/** Lines of the `- ` entries of a List's top-level `items:` sequence (kubectl writes them at column 0). */
function listItemLines(text: string, docLine: number): number[] {
  const lines = text.split('\n');
  const items = lines.findIndex((l) => /^items:\s*$/.test(l));
  if (items < 0) return [];
  const out: number[] = [];
  for (let i = items + 1; i < lines.length; i++) {
    if (/^- /.test(lines[i])) out.push(docLine + i);
    else if (/^[^\s#]/.test(lines[i])) break;
  }
  return out;
}

function readJson(text: string, file: string, objects: EstateObject[], stacks: EstateStack[]): void {
  const values: any[] = [];
  try {
    values.push(JSON.parse(text));
  } catch (e) {
    // JSON Lines (one `vault read` per line)
    const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
    try {
      values.push(...lines.map((l) => JSON.parse(l)));
    } catch {
      throw new EstateReadError(`${file}: ${(e as Error).message}`);
    }
  }
  const vaultReads = values.flatMap((v) => (Array.isArray(v) ? v : [v])).filter(isVaultRead);
  if (vaultReads.length > 0) {
    stacks.push(stackFromVaultReads(vaultReads, file, text));
    return;
  }
  for (const value of values) {
    if (!value || typeof value !== 'object' || Array.isArray(value)) continue;
    if (typeof value.format_version === 'string' && (value.values || value.planned_values)) {
      stacks.push(stackFromTerraformShow(value, file, text));
    } else if (value.resource && typeof value.resource === 'object' && !value.apiVersion) {
      stacks.push({ json: value, file, lines: resourceLines(text, value.resource), source: 'cdk.tf.json' });
    } else {
      addKubernetes(value, file, 1, [], objects);
    }
  }
}

/** The line of each `"<name>": {` of a cdk.tf.json's resource blocks (the first line naming it after its type). */
function resourceLines(text: string, resource: Record<string, Record<string, unknown>>): Map<string, number> {
  const lines = text.split('\n');
  const out = new Map<string, number>();
  for (const [type, instances] of Object.entries(resource)) {
    const typeLine = lines.findIndex((l) => l.includes(`"${type}"`));
    for (const name of Object.keys(instances ?? {})) {
      const at = lines.findIndex((l, i) => i > typeLine && l.includes(`"${name}"`));
      if (at >= 0) out.set(`${type}\u0000${name}`, at + 1);
    }
  }
  return out;
}
