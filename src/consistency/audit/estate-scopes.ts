import * as fs from 'fs';
import * as path from 'path';
import { load } from 'js-yaml';

/** One estate: the files and folders of one cluster, audited together. @internal */
export interface EstateScope {
  /** How the report names it (the program's folder, or `<fleet> cluster <name>`). */
  readonly label: string;
  readonly paths: string[];
}

const isDirectory = (p: string) => fs.existsSync(p) && fs.statSync(p).isDirectory();

/** The Kubernetes output folder of a program folder (`dist`, or the `output` of its cdk8s.yaml). */
function manifestsOf(dir: string): string {
  const config = path.join(dir, 'cdk8s.yaml');
  if (fs.existsSync(config)) {
    try {
      const output = (load(fs.readFileSync(config, 'utf8')) as any)?.output;
      if (typeof output === 'string') return path.join(dir, output);
    } catch {
      // an unreadable cdk8s.yaml: the default folder
    }
  }
  return path.join(dir, 'dist');
}

/** The cdktf output folder of a program folder (`cdktf.out`, or the `output` of its cdktf.json). */
function terraformOf(dir: string): string {
  const config = path.join(dir, 'cdktf.json');
  if (fs.existsSync(config)) {
    try {
      const output = JSON.parse(fs.readFileSync(config, 'utf8'))?.output;
      if (typeof output === 'string') return path.join(dir, output);
    } catch {
      // an unreadable cdktf.json: the default folder
    }
  }
  return path.join(dir, 'cdktf.out');
}

interface Program {
  readonly dir: string;
  readonly manifests?: string;
  readonly gitops?: string;
  readonly terraform?: string;
}

/** `dir` when it holds a program's synthesized output (manifests and Terraform, or a GitOps tree), else those below it. */
function programs(dir: string): Program[] {
  const terraform = terraformOf(dir);
  const gitops = path.join(dir, 'gitops');
  if (isDirectory(path.join(gitops, 'clusters'))) return [{ dir, gitops, terraform: isDirectory(terraform) ? terraform : undefined }];
  const manifests = manifestsOf(dir);
  if (isDirectory(manifests) && isDirectory(terraform)) return [{ dir, manifests, terraform }];
  return fs.readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && e.name !== 'node_modules')
    .map((e) => e.name).sort()
    .flatMap((name) => programs(path.join(dir, name)));
}

/**
 * Splits what the audit is given into estates, one per cluster, so that objects of different clusters or programs
 * never stand in for each other: each program output found under a folder (a folder with its manifests and cdktf.out/,
 * as `cdk8s-vault-pki check` finds them) is one estate; the programs of a fleet (sibling folders with GitOps trees)
 * are audited together, one estate per cluster folder (`clusters/<name>/` of every tree, with every program's
 * Terraform); every other file or folder given (a live dump, a dist/ folder, a state file) belongs to one estate
 * together. `merge` makes everything one estate.
 * @internal
 */
export function estateScopes(paths: string[], merge: boolean, show: (p: string) => string): EstateScope[] {
  if (merge) return [{ label: paths.map(show).join(' + '), paths }];
  const plain: string[] = [];
  const scopes: EstateScope[] = [];
  for (const given of paths) {
    const found = isDirectory(given) ? programs(given) : [];
    if (found.length === 0) {
      plain.push(given);
      continue;
    }
    const fleets = new Map<string, Program[]>();
    for (const p of found) {
      if (p.gitops) fleets.set(path.dirname(p.dir), [...(fleets.get(path.dirname(p.dir)) ?? []), p]);
      else scopes.push({ label: show(p.dir), paths: [p.manifests!, p.terraform!] });
    }
    for (const [parent, members] of fleets) {
      const clusters = [...new Set(members.flatMap((m) => fs.readdirSync(path.join(m.gitops!, 'clusters'), { withFileTypes: true })
        .filter((e) => e.isDirectory()).map((e) => e.name)))].sort();
      const terraform = members.flatMap((m) => (m.terraform ? [m.terraform] : []));
      for (const cluster of clusters) {
        scopes.push({
          label: `${show(parent)} cluster ${cluster}`,
          paths: [...members.map((m) => path.join(m.gitops!, 'clusters', cluster)).filter(isDirectory), ...terraform],
        });
      }
    }
  }
  if (plain.length > 0) scopes.unshift({ label: plain.map(show).join(' + '), paths: plain });
  return scopes;
}
