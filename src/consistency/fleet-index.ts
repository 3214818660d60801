import * as fs from 'fs';
import * as path from 'path';
import { readYamlFile } from './manifest-reader';
import { PkiNames } from '../core/names';

/** One program's GitOps tree, as `checkFleet` read it. @internal */
export interface FleetTree {
  /** How findings name the tree: `<parent folder>/<tree folder>`, e.g. `team-shop/gitops`. */
  readonly name: string;
  /** The program that wrote it (its `inventory.json` or its ApplicationSet's program label), when it says. */
  readonly program?: string;
  /** The ApplicationSets of its `argocd/` folder. */
  readonly applicationSets: any[];
  /** Its objects, per cluster folder. */
  readonly clusters: Map<string, any[]>;
}

/** Every program's GitOps tree and the fleet contract(s) found among them. @internal */
export interface FleetIndex {
  readonly trees: FleetTree[];
  /** Each `fleet-contract.json` found, with the tree it was in. */
  readonly contracts: { readonly tree: string; readonly document: any }[];
}

/** Every object of the YAML files under `dir` (kustomize's own kustomization.yaml files are not objects). @internal */
export function readManifests(dir: string): any[] {
  return files(dir, (f) => /\.ya?ml$/.test(f) && path.basename(f) !== 'kustomization.yaml').flatMap((file) => {
    try {
      return readYamlFile(file);
    } catch (e) {
      throw new Error(`${file}: ${(e as Error).message.split('\n')[0]}`);
    }
  });
}

/** The files under `root` (or `root` itself when it is a file) that `keep`, sorted (by name in each folder, depth first). @internal */
export function files(root: string, keep: (file: string) => boolean): string[] {
  if (!fs.statSync(root).isDirectory()) return keep(root) ? [root] : [];
  const out: string[] = [];
  collect(root, keep, out);
  return out;
}

/** Appends the files under the folder `dir` that `keep` to `out` (each path as path.join(dir, name) spells it). */
function collect(dir: string, keep: (file: string) => boolean, out: string[]): void {
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // path.join(dir, name) for every entry, without normalizing the folder again for each of them.
  const base = path.join(dir, '.');
  const prefix = base.endsWith(path.sep) ? base : `${base}${path.sep}`;
  for (const entry of entries) {
    const full = base === '.' ? entry.name : `${prefix}${entry.name}`;
    if (entry.isDirectory()) collect(full, keep, out);
    else if (keep(full)) out.push(full);
  }
}

/** Reads the GitOps trees `dirs` (each with a `clusters/` folder) into a fleet index. @internal */
export function readFleet(dirs: string[]): FleetIndex {
  const trees: FleetTree[] = [];
  const contracts: { tree: string; document: any }[] = [];
  for (const dir of dirs) {
    const clustersDir = path.join(dir, 'clusters');
    if (!fs.existsSync(clustersDir)) throw new Error(`${dir} is not a GitOps tree: it has no clusters/ folder`);
    const name = `${path.basename(path.dirname(path.resolve(dir)))}/${path.basename(path.resolve(dir))}`;
    const clusters = new Map<string, any[]>();
    for (const cluster of fs.readdirSync(clustersDir).sort()) {
      if (fs.statSync(path.join(clustersDir, cluster)).isDirectory()) clusters.set(cluster, readManifests(path.join(clustersDir, cluster)));
    }
    const argocd = path.join(dir, 'argocd');
    const applicationSets = fs.existsSync(argocd)
      ? readManifests(argocd).filter((o) => o?.kind === 'ApplicationSet' && String(o.apiVersion).startsWith('argoproj.io/')) : [];
    const inventory = readJson(path.join(dir, 'inventory.json'));
    const labelled = applicationSets.map((a) => a.metadata?.labels?.[PkiNames.PROGRAM_LABEL]).find((p) => typeof p === 'string');
    const program = typeof inventory?.program === 'string' ? inventory.program : labelled;
    trees.push({ name, program, applicationSets, clusters });
    const contract = readJson(path.join(dir, PkiNames.FLEET_CONTRACT_FILE));
    if (contract !== undefined) contracts.push({ tree: name, document: contract });
  }
  return { trees, contracts };
}

function readJson(file: string): any {
  if (!fs.existsSync(file)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message.split('\n')[0]}`);
  }
}
