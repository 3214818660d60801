/**
 * Cross-check of Model 1 against the real `terraform` binary (v1.11.4 here), offline, with the built-in provider only.
 *
 * A library `cdk.tf.json` is translated into an equivalent configuration of `terraform_data` resources: the same
 * addresses (`type.name` → `terraform_data.<type>__<name>`), the same reference and depends_on edges, ForceNew
 * attributes in `triggers_replace` (replace when they change or become unknown), the others in `input` (update in
 * place), the same `prevent_destroy` / `create_before_destroy`, and `local-exec` provisioners (create-time and
 * `when = destroy`) that append `create <addr>` / `destroy <addr>` to a log. A reference to a computed attribute of
 * another resource becomes a reference to its `id` (unknown while it is created or replaced, as the computed value
 * is); a reference to a configured attribute reads that attribute from the other resource's `input` or
 * `triggers_replace` (known at plan, as the configured value is).
 *
 * What is compared:
 * - the plan: `terraform show -json` actions per resource against the model's change actions (incl. replace order,
 *   and a failing plan for prevent_destroy);
 * - the ordering: the apply graph Terraform itself builds from the saved plan (`terraform graph -plan=...`): for every
 *   pair of operations, "A happens before B in every valid order" must be the same in the real graph and in the model;
 *   this covers in-place updates too (their vertices are in the graph even though terraform_data runs no provisioner
 *   on update);
 * - the execution: with -parallelism=1, the creates and destroys logged by the provisioners must respect every
 *   ordering constraint of the model.
 * Not covered: provider behaviour (ForceNew comes from the vendored schemas on both sides), the inter-provider cycle
 * check (everything is one provider here), CustomizeDiff, refresh drift.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseTemplate, references } from './expr';
import { Graph, GraphNode } from './graph';
import { resourceSchema } from './schema';
import { terraform } from '../../terraform-cli';

export function terraformBinary(): { path?: string; version?: string; reason?: string } {
  const r = spawnSync('terraform', ['version', '-json'], { encoding: 'utf8', env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
  if (r.error || r.status !== 0) return { reason: `no usable terraform binary on PATH (${r.error ? (r.error as NodeJS.ErrnoException).code : `exit ${r.status}`})` };
  const v = JSON.parse(r.stdout) as { terraform_version: string };
  const which = spawnSync('sh', ['-c', 'command -v terraform'], { encoding: 'utf8' });
  return { path: which.stdout.trim(), version: v.terraform_version };
}

export function dataAddr(addr: string): string {
  const [type, name] = addr.split('.');
  return `terraform_data.${type}__${name}`;
}

export function modelAddr(tdAddr: string): string {
  const name = tdAddr.replace(/^terraform_data\./, '');
  const i = name.indexOf('__');
  return `${name.slice(0, i)}.${name.slice(i + 2)}`;
}

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

interface Doc { resource?: Record<string, Record<string, Record<string, Json>>> }

function forceNewPaths(type: string, key: string, value: Json): Array<[string, Json]> {
  const a = resourceSchema(type)?.attributes[key];
  if (!a) return [];
  if (a.forceNew) return [[key, value]];
  if (!a.block) return [];
  const items = Array.isArray(value) ? value : value && typeof value === 'object' ? [value] : [];
  const out: Array<[string, Json]> = [];
  items.forEach((item, i) => {
    for (const [k, sub] of Object.entries(a.block!.attributes)) {
      if (sub.forceNew && item && typeof item === 'object' && !Array.isArray(item) && k in item) out.push([`${key}.${i}.${k}`, (item as Record<string, Json>)[k]]);
    }
  });
  return out;
}

function stripForceNew(type: string, key: string, value: Json): Json {
  const a = resourceSchema(type)?.attributes[key];
  if (!a?.block) return value;
  const strip = (item: Json): Json => {
    if (!item || typeof item !== 'object' || Array.isArray(item)) return item;
    return Object.fromEntries(Object.entries(item).filter(([k]) => !a.block!.attributes[k]?.forceNew));
  };
  return Array.isArray(value) ? value.map(strip) : strip(value);
}

/** Translate a library cdk.tf.json into the equivalent terraform_data configuration (see the file comment). */
export function translate(docIn: unknown, logFile: string): Record<string, unknown> {
  const doc = docIn as Doc;
  const out: Record<string, Record<string, Json>> = {};
  const where = new Map<string, { forceNew: Set<string>; configured: Set<string> }>();
  for (const [type, byName] of Object.entries(doc.resource ?? {})) {
    for (const [name, body] of Object.entries(byName)) {
      const fn = new Set<string>();
      const conf = new Set<string>();
      for (const [k, v] of Object.entries(body)) {
        if (['//', 'depends_on', 'lifecycle', 'provider'].includes(k)) continue;
        conf.add(k);
        if (resourceSchema(type)?.attributes[k]?.forceNew) fn.add(k);
        void v;
      }
      where.set(`${type}.${name}`, { forceNew: fn, configured: conf });
    }
  }
  const rewriteString = (s: string): string => s.replace(/\$\{((?:[^{}"]|"(?:\\.|[^"\\])*"|\{[^{}]*\})*)\}/g, (_m, body: string) => {
    const refs = references(parseTemplate(`\${${body}}`)).filter((r) => where.has(r.subject));
    const exprs = refs.map((r) => {
      const w = where.get(r.subject)!;
      const target = dataAddr(r.subject);
      if (r.attr && w.configured.has(r.attr)) return `${target}.${w.forceNew.has(r.attr) ? 'triggers_replace' : 'input'}.${r.attr}`;
      return `${target}.id`;
    });
    let literal = body;
    for (const r of refs) literal = literal.split(r.subject).join('#');
    literal = literal.replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');
    return `${literal}|\${jsonencode([${exprs.join(', ')}])}`;
  });
  const rewrite = (v: Json): Json => {
    if (typeof v === 'string') return rewriteString(v);
    if (Array.isArray(v)) return v.map(rewrite);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rewrite(x)]));
    return v;
  };
  for (const [type, byName] of Object.entries(doc.resource ?? {})) {
    for (const [name, body] of Object.entries(byName)) {
      const addr = `${type}.${name}`;
      const triggers: Record<string, Json> = {};
      const input: Record<string, Json> = {};
      for (const [k, v] of Object.entries(body)) {
        if (['//', 'depends_on', 'lifecycle', 'provider'].includes(k)) continue;
        const fns = forceNewPaths(type, k, v);
        for (const [p, x] of fns) triggers[p] = rewrite(x);
        if (!resourceSchema(type)?.attributes[k]?.forceNew) input[k] = rewrite(stripForceNew(type, k, v));
      }
      const lc = (body.lifecycle ?? {}) as Record<string, Json>;
      const res: Record<string, Json> = {
        input,
        provisioner: [
          { 'local-exec': { command: `echo "create ${addr}" >> ${logFile}` } },
          { 'local-exec': { when: 'destroy', command: `echo "destroy ${addr}" >> ${logFile}` } },
        ],
      };
      if (Object.keys(triggers).length) res.triggers_replace = triggers;
      const dependsOn = ((body.depends_on ?? []) as string[]).map(dataAddr);
      if (dependsOn.length) res.depends_on = dependsOn;
      const lifecycle: Record<string, Json> = {};
      if (lc.prevent_destroy === true) lifecycle.prevent_destroy = true;
      if (lc.create_before_destroy === true) lifecycle.create_before_destroy = true;
      if (Object.keys(lifecycle).length) res.lifecycle = lifecycle;
      out[`${type}__${name}`] = res;
    }
  }
  return { resource: { terraform_data: out } };
}

export interface RealRun {
  readonly dir: string;
  /** Plan of `next`: model address → terraform's action list, e.g. ["delete","create"]. */
  readonly actions: Record<string, string[]>;
  readonly planFailed: boolean;
  readonly planOutput: string;
  /** The apply graph of the saved plan, with vertex names mapped back to model addresses. */
  readonly graph: Graph;
  /** Provisioner log of the apply of `next`: "create <addr>" / "destroy <addr>". */
  readonly log: string[];
}

/** Parse `terraform graph` DOT output into a Graph with model vertex names (provider/root vertices kept as-is). */
export function parseDot(dot: string): Graph {
  const g = new Graph();
  const norm = (raw: string): string => {
    let s = raw.replace(/^\[root\] /, '').replace(/\\"/g, '"');
    s = s.replace(/ \(destroy deposed [0-9a-f]+\)$/, ' (destroy deposed)');
    const m = /^(terraform_data\.[A-Za-z0-9_-]+)(.*)$/.exec(s);
    return m ? `${modelAddr(m[1])}${m[2]}` : s;
  };
  const kindOf = (id: string): GraphNode['kind'] => {
    if (id.endsWith(' (destroy deposed)')) return 'destroy-deposed';
    if (id.endsWith(' (destroy)')) return 'destroy';
    return id.includes(' (') || id.startsWith('provider') || id === 'root' ? 'expand' : 'creator';
  };
  const add = (id: string): void => {
    const kind = kindOf(id);
    const addr = id.replace(/ \(.*\)$/, '');
    g.add({ id, kind, addr, configAddr: addr, action: '', provider: 'terraform' });
  };
  for (const line of dot.split('\n')) {
    const e = /^\s*"(.+)" -> "(.+)"\s*$/.exec(line);
    if (e) {
      const [a, b] = [norm(e[1]), norm(e[2])];
      add(a); add(b);
      g.connect(a, b);
      continue;
    }
    const n = /^\s*"(.+)" \[label/.exec(line);
    if (n) add(norm(n[1]));
  }
  return g;
}

/** Apply `prior` from scratch, then plan, graph and apply `next`, in a temp dir under os.tmpdir() (removed afterwards unless KEEP_TF_XCHECK is set). */
export function runReal(prior: unknown, next: unknown): RealRun {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-model-xcheck-'));
  try {
    return runRealIn(dir, prior, next);
  } finally {
    if (!process.env.KEEP_TF_XCHECK) fs.rmSync(dir, { recursive: true, force: true });
  }
}

function runRealIn(dir: string, prior: unknown, next: unknown): RealRun {
  const log = path.join(dir, 'ops.log');
  fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(translate(prior, log), null, 1));
  // No `terraform init`: built-in resources and provisioners only, and the local backend, need nothing installed.
  const a1 = terraform(dir, ['apply', '-auto-approve', '-input=false', '-no-color', '-parallelism=1']);
  if (a1.status !== 0) throw new Error(`terraform apply (prior) failed:\n${a1.out}`);
  fs.writeFileSync(log, '');
  fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(translate(next, log), null, 1));
  const p = terraform(dir, ['plan', '-input=false', '-no-color', '-parallelism=1', '-out=next.tfplan']);
  if (p.status !== 0) return { dir, actions: {}, planFailed: true, planOutput: p.out, graph: new Graph(), log: [] };
  const show = terraform(dir, ['show', '-json', 'next.tfplan']);
  const changes = (JSON.parse(show.out) as { resource_changes?: Array<{ address: string; change: { actions: string[] } }> }).resource_changes ?? [];
  const actions = Object.fromEntries(changes.map((c) => [modelAddr(c.address), c.change.actions]));
  const dot = terraform(dir, ['graph', '-plan=next.tfplan', '-no-color']);
  const graph = parseDot(dot.out);
  const a2 = terraform(dir, ['apply', '-auto-approve', '-input=false', '-no-color', '-parallelism=1', 'next.tfplan']);
  if (a2.status !== 0) throw new Error(`terraform apply (next) failed:\n${a2.out}`);
  const lines = fs.readFileSync(log, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
  return { dir, actions, planFailed: false, planOutput: p.out, graph, log: lines };
}

/** Run a hand-written Terraform JSON configuration (built-in provider only): plan -out, show -json, apply. */
export interface RawRun {
  planStatus: number;
  planOutput: string;
  plan?: unknown;
  applyStatus?: number;
  applyOutput?: string;
  stateList: string[];
}

export function runRaw(files: Record<string, string>, steps: Array<{ config: unknown; apply?: boolean }>): RawRun[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tf-model-raw-'));
  try {
    return runRawIn(dir, files, steps);
  } finally {
    if (!process.env.KEEP_TF_XCHECK) fs.rmSync(dir, { recursive: true, force: true });
  }
}

function runRawIn(dir: string, files: Record<string, string>, steps: Array<{ config: unknown; apply?: boolean }>): RawRun[] {
  for (const [f, c] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), c);
  const out: RawRun[] = [];
  for (const s of steps) {
    // No `terraform init` (as above).
    fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(s.config));
    const p = terraform(dir, ['plan', '-input=false', '-no-color', '-out=p.tfplan']);
    const rec: RawRun = { planStatus: p.status, planOutput: p.out, stateList: [] };
    if (p.status === 0) {
      rec.plan = JSON.parse(terraform(dir, ['show', '-json', 'p.tfplan']).out);
      if (s.apply !== false) {
        const a = terraform(dir, ['apply', '-auto-approve', '-input=false', '-no-color', '-parallelism=1', 'p.tfplan']);
        rec.applyStatus = a.status;
        rec.applyOutput = a.out;
      }
    }
    rec.stateList = terraform(dir, ['state', 'list']).out.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('No state'));
    out.push(rec);
  }
  return out;
}
