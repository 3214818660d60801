import * as fs from 'fs';
import * as path from 'path';
import { fileTexts, PARALLEL_READ_MIN } from './file-texts';
import { readYamlDocuments } from './manifest-reader';
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
export function readManifests(dir: string, parallelMin: number = PARALLEL_READ_MIN): any[] {
  return readManifestFiles([manifestFiles(dir)], parallelMin)[0];
}

/** The YAML files under `dir` that hold objects (kustomize's own kustomization.yaml files do not), found as they are read. */
function manifestFiles(dir: string): Iterable<string> {
  return walk(dir, (f) => /\.ya?ml$/.test(f) && path.basename(f) !== 'kustomization.yaml');
}

/**
 * The objects of each group of YAML files, read as one stream (see fileTexts): the folders are walked while another
 * thread reads the files already found.
 */
function readManifestFiles(groups: readonly Iterable<string>[], parallelMin: number): any[][] {
  const out: any[][] = groups.map(() => []);
  // Each file in the order the stream reads it, and its group.
  const all: string[] = [];
  const groupOf: number[] = [];
  function* stream(): Generator<string> {
    for (let g = 0; g < groups.length; g++) {
      for (const file of groups[g]) {
        all.push(file);
        groupOf.push(g);
        yield file;
      }
    }
  }
  let i = 0;
  for (const text of fileTexts(stream(), parallelMin)) {
    try {
      for (const object of readYamlDocuments(text)) out[groupOf[i]].push(object);
    } catch (e) {
      throw new Error(`${all[i]}: ${(e as Error).message.split('\n')[0]}`);
    }
    i++;
  }
  return out;
}

/**
 * The files under `root` (or `root` itself when it is a file) that `keep`, sorted (by name in each folder, depth first),
 * found one folder at a time as they are asked for.
 */
function* walk(root: string, keep: (file: string) => boolean): Generator<string> {
  if (!fs.statSync(root).isDirectory()) {
    if (keep(root)) yield root;
    return;
  }
  yield* collect(root, keep);
}

/** The files under the folder `dir` that `keep` (each path as path.join(dir, name) spells it). */
function* collect(dir: string, keep: (file: string) => boolean): Generator<string> {
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  // path.join(dir, name) for every entry, without normalizing the folder again for each of them.
  const base = path.join(dir, '.');
  const prefix = base.endsWith(path.sep) ? base : `${base}${path.sep}`;
  for (const entry of entries) {
    const full = base === '.' ? entry.name : `${prefix}${entry.name}`;
    if (entry.isDirectory()) yield* collect(full, keep);
    else if (keep(full)) yield full;
  }
}

/**
 * Reads the GitOps trees `dirs` (each with a `clusters/` folder) into a fleet index. Every YAML file of every tree is
 * read as one stream (another thread reads while this one parses, from `parallelMin` files on). @internal
 */
export function readFleet(dirs: string[], parallelMin: number = PARALLEL_READ_MIN): FleetIndex {
  const layout = dirs.map((dir) => {
    const clustersDir = path.join(dir, 'clusters');
    if (!fs.existsSync(clustersDir)) throw new Error(`${dir} is not a GitOps tree: it has no clusters/ folder`);
    const clusters = fs.readdirSync(clustersDir).sort().filter((cluster) => fs.statSync(path.join(clustersDir, cluster)).isDirectory())
      .map((cluster) => ({ cluster, files: manifestFiles(path.join(clustersDir, cluster)) }));
    const argocd = path.join(dir, 'argocd');
    return { dir, clusters, argocd: fs.existsSync(argocd) ? manifestFiles(argocd) : [] };
  });
  const objects = readManifestFiles(layout.flatMap((tree) => [...tree.clusters.map((c) => c.files), tree.argocd]), parallelMin);
  const trees: FleetTree[] = [];
  const contracts: { tree: string; document: any }[] = [];
  let next = 0;
  for (const { dir, clusters: folders } of layout) {
    const name = `${path.basename(path.dirname(path.resolve(dir)))}/${path.basename(path.resolve(dir))}`;
    const clusters = new Map<string, any[]>();
    for (const { cluster } of folders) clusters.set(cluster, objects[next++]);
    const applicationSets = objects[next++].filter((o) => o?.kind === 'ApplicationSet' && String(o.apiVersion).startsWith('argoproj.io/'));
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
