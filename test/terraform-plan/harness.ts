/**
 * Runs the REAL `terraform plan` (the binary on PATH; Terraform v1.11.4 here) over the plan-time guards the library
 * emits, with Vault's answers standing in for the Vault provider's data sources: Terraform itself evaluates every
 * guard expression (`plantimestamp()`, `timecmp()`, `nonsensitive()`, `try()`, counts, the error messages) exactly as
 * it would against a live Vault. Only built-in resources are used (`terraform_data`), so nothing is downloaded.
 *
 * From a synthesized `cdk.tf.json` it keeps what the guards are made of (the `terraform_data` records and guards, the
 * locals, the Vault data sources) and drops everything else; each Vault data source becomes a `terraform_data` whose
 * `input` holds what the data source would return for the given Vault state (same `count`), and every reference
 * `data.<type>.<name>[...]` becomes `terraform_data.<fake>[...].input`. Records of earlier applies are seeded into the
 * state with the times given, as `ignore_changes` keeps them.
 */
import { spawnSync } from 'child_process';
import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { terraform } from '../terraform-cli';

/** What Vault holds, as its API returns it. */
export interface VaultState {
  /** Mounts by path (without the trailing slash), with their description. */
  readonly mounts: Record<string, { description: string }>;
  /** Per PKI mount: the default issuer's ID ('' for none), issuers by ID with their names, keys by ID with their names. */
  readonly pki: Record<string, { defaultIssuerId: string; issuers: Record<string, string>; keys: Record<string, string> }>;
  /** The intermediate signatures (logical ids of their root_sign_intermediate resources) whose certificate Vault revoked. */
  readonly revokedSignatures?: string[];
}

export interface PlanResult {
  readonly ok: boolean;
  /** The error text of every failed precondition (Terraform's own rendering of `error_message`). */
  readonly errors: string[];
  /**
   * What Terraform printed: the whole output of a plan of the case's own configuration (planGuardsWhole); for a case
   * decided in a shared run, the blocks of its failed preconditions (names unprefixed).
   */
  readonly output: string;
}

/** Whether a `terraform` binary can run here. */
export function terraformAvailable(): string | undefined {
  const r = spawnSync('terraform', ['version'], { encoding: 'utf8' });
  return r.status === 0 ? /Terraform v(\S+)/.exec(r.stdout)?.[1] : undefined;
}

const DATA_REF = /data\.(vault_[a-z_]+)\.([A-Za-z0-9_-]+)((?:\[(?:\*|\d+)\])?)/g;
const fakeName = (type: string, name: string) => `fakedata__${type}__${name}`;

function rewrite(value: any): any {
  if (typeof value === 'string') return value.replace(DATA_REF, (_m, type, name, index) => `terraform_data.${fakeName(type, name)}${index}.input`);
  if (Array.isArray(value)) return value.map(rewrite);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrite(v)]));
  return value;
}

/** What a Vault data source of the guards returns for `vault`. */
function fakeInput(type: string, config: any, vault: VaultState): Record<string, unknown> {
  const json = (v: unknown) => JSON.stringify(v);
  if (type === 'vault_generic_secret' && config.path === 'sys/mounts') {
    const mounts = Object.fromEntries(Object.entries(vault.mounts).map(([p, m]) => [`${p}/`, { type: 'pki', description: m.description }]));
    return { data_json: `\${sensitive(${json(json(mounts))})}` };
  }
  const mountOf = (p: string) => vault.pki[p] ?? { defaultIssuerId: '', issuers: {}, keys: {} };
  if (type === 'vault_generic_secret' && /\/config\/issuers$/.test(config.path)) {
    const m = mountOf(config.path.replace(/\/config\/issuers$/, ''));
    return { data_json: `\${sensitive(${json(json({ default: m.defaultIssuerId, default_follows_latest_issuer: false }))})}` };
  }
  if (type === 'vault_generic_secret' && /\/cert\//.test(config.path)) {
    // <root mount>/cert/<serial of a signature>: revocation_time_rfc3339 is '' unless Vault revoked it (Vault >= 1.13).
    const signature = /vault_pki_secret_backend_root_sign_intermediate\.([A-Za-z0-9_-]+)\.serial_number/.exec(config.path)?.[1];
    const revoked = signature !== undefined && (vault.revokedSignatures ?? []).includes(signature);
    return { data_json: `\${sensitive(${json(json({ revocation_time: revoked ? 1793000000 : 0, revocation_time_rfc3339: revoked ? '2026-10-27T08:53:20Z' : '' }))})}` };
  }
  if (type === 'vault_pki_secret_backend_issuers') {
    const m = mountOf(config.backend);
    const info = Object.entries(m.issuers).map(([id, name]) => [id, { issuer_name: name, is_default: id === m.defaultIssuerId }]);
    return { key_info_json: json(Object.fromEntries(info)) };
  }
  if (type === 'vault_pki_secret_backend_keys') {
    return { key_info_json: json(Object.fromEntries(Object.entries(mountOf(config.backend).keys).map(([id, name]) => [id, { key_name: name }]))) };
  }
  throw new Error(`no stand-in for data source ${type} (${json(config)})`);
}

/** The guards of `tf` as a configuration of built-in resources for `vault`. */
export function guardConfiguration(tf: any, vault: VaultState): any {
  const resources: Record<string, any> = {};
  for (const [name, r] of Object.entries<any>(tf.resource?.terraform_data ?? {})) {
    const { ['//']: _meta, ...rest } = r;
    resources[name] = rewrite(rest);
  }
  for (const [type, byName] of Object.entries<any>(tf.data ?? {})) {
    for (const [name, config] of Object.entries<any>(byName)) {
      const count = config.count !== undefined ? { count: rewrite(config.count) } : {};
      resources[fakeName(type, name)] = { ...count, input: fakeInput(type, config, vault) };
    }
  }
  return { terraform: { required_version: '>= 1.5.0' }, locals: rewrite(tf.locals ?? {}), resource: { terraform_data: resources } };
}

/**
 * The state in which an earlier apply left the records `records` (logical id -> the time it was planned). A real
 * `terraform apply` of one record writes it once per test file; each record of a state is that record's entry under its
 * own name and id, with its time (in `input` and `output`, as the apply wrote them), so each plan costs one terraform
 * run, not two.
 */
let seeded: any;
function seededState(records: Record<string, string>): string {
  if (!seeded) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-pki-seed-'));
    try {
      const seed = { resource: { terraform_data: { seed: { input: { at: '2000-01-01T00:00:00Z' } } } } };
      fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(seed));
      const applied = terraform(dir, ['apply', '-auto-approve', '-no-color', '-input=false']);
      if (applied.status !== 0) throw new Error(`seeding the records failed: ${applied.out}`);
      seeded = JSON.parse(fs.readFileSync(path.join(dir, 'terraform.tfstate'), 'utf8'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const [only] = seeded.resources;
    if (seeded.resources.length !== 1 || only.type !== 'terraform_data' || only.instances.length !== 1) {
      throw new Error(`unexpected seeded state: ${JSON.stringify(seeded)}`);
    }
  }
  const resources = Object.keys(records).sort().map((name) => {
    const resource = JSON.parse(JSON.stringify(seeded.resources[0]));
    const attributes = resource.instances[0].attributes;
    resource.name = name;
    attributes.id = randomUUID();
    attributes.input.value.at = records[name];
    attributes.output.value.at = records[name];
    return resource;
  });
  return JSON.stringify({ ...seeded, resources }, undefined, 2);
}

/** One plan of the guards: a program's Terraform, what Vault holds, and the records an earlier apply left. */
export interface PlanCase {
  readonly tf: any;
  readonly vault: VaultState;
  /** Logical id of a `terraform_data` record -> the time it was planned (ISO 8601). */
  readonly records?: Record<string, string>;
}

/**
 * `terraform plan` of `tf`'s guards against `vault`, after an earlier apply that left the records `records` (logical id
 * of a `terraform_data` record -> the time it was planned, ISO 8601) in state.
 */
export function planGuards(tf: any, vault: VaultState, records: Record<string, string> = {}): PlanResult {
  return planGuardsOf([{ tf, vault, records }])[0];
}

/*
 * Many plans, few terraform runs. A configuration splits into closures: each resource or local that nothing else
 * references, with everything it references, transitively. What Terraform reports about a closure depends only on the
 * closure (its expressions, its records' state and the plan's time): Terraform walks the graph of one plan vertex by
 * vertex, a vertex whose dependency failed is skipped and every other one is still evaluated (internal/dag/walk.go,
 * v1.11.4), and the human view orders diagnostics by their source position (tfdiags.Diagnostics.Sort). So a closure
 * that an earlier plan already evaluated (the same expressions, the same records) is not evaluated again, and the new
 * closures of every case are evaluated together, each under its own prefix, in one `terraform plan`: a plan's cost
 * grows with its resources (one run of 64 cases costs 0.18 s of CPU per case, 64 runs 0.31 s each), and most closures
 * recur across the rotation's phase pairs (89 plans hold 445 closures, 168 of them different).
 * A record whose resource the configuration no longer has is left out: its own plan would only destroy it, which no
 * precondition checks. `test/plan-guards.test.ts` checks that the cases decided together decide as their own plans do.
 */

const REF = /(?<![\w.])(terraform_data|local)\.([A-Za-z_][A-Za-z0-9_-]*)/g;

/** Every `terraform_data.<name>` and `local.<name>` a value refers to. */
function referencesOf(value: any, out = new Set<string>()): Set<string> {
  if (typeof value === 'string') for (const m of value.matchAll(REF)) out.add(`${m[1] === 'local' ? 'l' : 'r'}:${m[2]}`);
  else if (Array.isArray(value)) value.forEach((v) => referencesOf(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => referencesOf(v, out));
  return out;
}

function renamed(value: any, prefix: string): any {
  if (typeof value === 'string') return value.replace(REF, (_m, kind, name) => `${kind}.${prefix}${name}`);
  if (Array.isArray(value)) return value.map((v) => renamed(v, prefix));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renamed(v, prefix)]));
  return value;
}

/** A closure: its resources and locals (in the configuration's order) and the records of its resources. */
interface Closure {
  readonly key: string;
  readonly resources: Array<[string, any]>;
  readonly locals: Array<[string, any]>;
  readonly records: Record<string, string>;
}

/** A precondition that failed in a closure: its resource, the index of the precondition, Terraform's error text. */
interface Failure {
  readonly resource: string;
  readonly precondition: number;
  readonly text: string;
  readonly block: string;
}

/** What Terraform reported for each closure it evaluated (by closure key), across the calls of one test file. */
const EVALUATED = new Map<string, Failure[]>();

function closuresOf(config: any, records: Record<string, string>): Closure[] {
  const resources: Record<string, any> = config.resource.terraform_data;
  const locals: Record<string, any> = config.locals ?? {};
  const bodyOf = (node: string) => (node.startsWith('r:') ? resources[node.slice(2)] : locals[node.slice(2)]);
  const nodes = [...Object.keys(locals).map((n) => `l:${n}`), ...Object.keys(resources).map((n) => `r:${n}`)];
  const refs = new Map(nodes.map((n) => [n, [...referencesOf(bodyOf(n))].filter((r) => bodyOf(r) !== undefined && r !== n)]));
  const referenced = new Set([...refs.values()].flat());
  return nodes.filter((n) => !referenced.has(n)).map((root) => {
    const members = new Set<string>();
    const visit = (n: string) => {
      if (members.has(n)) return;
      members.add(n);
      refs.get(n)!.forEach(visit);
    };
    visit(root);
    const inOrder = nodes.filter((n) => members.has(n));
    const closure = {
      resources: inOrder.filter((n) => n.startsWith('r:')).map((n): [string, any] => [n.slice(2), bodyOf(n)]),
      locals: inOrder.filter((n) => n.startsWith('l:')).map((n): [string, any] => [n.slice(2), bodyOf(n)]),
      records: Object.fromEntries(inOrder.filter((n) => n.startsWith('r:') && records[n.slice(2)] !== undefined).map((n) => [n.slice(2), records[n.slice(2)]])),
    };
    return { key: JSON.stringify(closure), ...closure };
  });
}

/** Every failed precondition a `terraform plan` printed; any other error, or a failure the exit status denies, throws. */
function preconditionFailures(run: { status: number; out: string }): Failure[] {
  const failures = run.out.split(/\n(?=Error: )/).filter((b) => b.startsWith('Error: ')).map((block): Failure => {
    // The heading, the source context (up to the last `│` line), then the rendered error_message.
    const at = /in resource\.terraform_data\.([A-Za-z0-9_-]+)\.lifecycle\.precondition\[(\d+)\]/.exec(block);
    if (!block.startsWith('Error: Resource precondition failed') || !at) throw new Error(`terraform plan failed without a precondition: ${block}`);
    const lines = block.split('\n');
    const lastContext = lines.map((l, i) => (/^\s*(│|├|\d+:|on )/.test(l) ? i : -1)).reduce((a, b) => Math.max(a, b), 0);
    return { resource: at[1], precondition: Number(at[2]), text: lines.slice(lastContext + 1).join(' ').replace(/\s+/g, ' ').trim(), block };
  });
  if (run.status !== 0 && failures.length === 0) throw new Error(`terraform plan failed without a precondition: ${run.out}`);
  if (run.status === 0 && failures.length > 0) throw new Error(`terraform plan succeeded with failed preconditions: ${run.out}`);
  return failures;
}

/** `terraform plan` of one configuration in a fresh folder, after an earlier apply that left `records`. */
function plan(config: any, records: Record<string, string>): { status: number; out: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-pki-plan-'));
  try {
    // No `terraform init`: the configuration holds built-in resources only (terraform_data) and the local backend, which
    // need nothing installed (init would only create an empty .terraform/).
    if (Object.keys(records).length > 0) fs.writeFileSync(path.join(dir, 'terraform.tfstate'), seededState(records));
    fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(config, null, 1));
    return terraform(dir, ['plan', '-no-color', '-input=false', '-lock=false']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The reference the shared runs are checked against: one `terraform plan` of the case's whole guard configuration, as
 * `terraform plan` of the program itself would run.
 */
export function planGuardsWhole(tf: any, vault: VaultState, records: Record<string, string> = {}): PlanResult {
  const run = plan(guardConfiguration(tf, vault), records);
  const failures = preconditionFailures(run);
  return { ok: run.status === 0, errors: failures.map((f) => f.text), output: run.out };
}

/** One `terraform plan` of `closures`, each under its own prefix; records what failed in each. */
function evaluate(closures: Closure[]): void {
  const prefix = (i: number) => `k${i}__`;
  const resources: Record<string, any> = {};
  const locals: Record<string, any> = {};
  const records: Record<string, string> = {};
  closures.forEach((c, i) => {
    for (const [name, body] of c.locals) locals[prefix(i) + name] = renamed(body, prefix(i));
    for (const [name, body] of c.resources) resources[prefix(i) + name] = renamed(body, prefix(i));
    for (const [name, at] of Object.entries(c.records)) records[prefix(i) + name] = at;
  });
  const config = { terraform: { required_version: '>= 1.5.0' }, locals, resource: { terraform_data: resources } };
  const failures = closures.map((): Failure[] => []);
  for (const f of preconditionFailures(plan(config, records))) {
    const [, closure, resource] = /^k(\d+)__(.*)$/.exec(f.resource)!;
    if (/\bk\d+__/.test(f.text)) throw new Error(`an error message names a renamed object, which the case's own plan would not: ${f.text}`);
    failures[Number(closure)].push({ ...f, resource, block: f.block.replace(/\bk\d+__/g, '') });
  }
  closures.forEach((c, i) => EVALUATED.set(c.key, failures[i]));
}

/**
 * The plans of many cases, as each case's own `terraform plan` would decide it (its failed preconditions, in the order
 * Terraform prints them), with one `terraform plan` of the closures not evaluated before.
 */
export function planGuardsOf(cases: PlanCase[], options: { reuse?: boolean } = {}): PlanResult[] {
  const split = cases.map((c) => {
    const config = guardConfiguration(c.tf, c.vault);
    return { order: Object.keys(config.resource.terraform_data), closures: closuresOf(config, c.records ?? {}) };
  });
  const fresh = new Map<string, Closure>();
  for (const c of split.flatMap((s) => s.closures)) if (options.reuse === false || !EVALUATED.has(c.key)) fresh.set(c.key, c);
  if (fresh.size > 0) evaluate([...fresh.values()]);
  return split.map(({ order, closures }) => {
    // A resource two closures share (a data source every guard reads) is reported once, as the case's own plan does.
    const reportedBy = new Map<string, string>();
    for (const c of closures) for (const [name] of c.resources) if (!reportedBy.has(name)) reportedBy.set(name, c.key);
    const failures = closures.flatMap((c) => EVALUATED.get(c.key)!.filter((f) => reportedBy.get(f.resource) === c.key));
    // tfdiags.Diagnostics.Sort: by source position (resources in the file's order, preconditions in theirs), stable.
    failures.sort((a, b) => order.indexOf(a.resource) - order.indexOf(b.resource) || a.precondition - b.precondition);
    return { ok: failures.length === 0, errors: failures.map((f) => f.text), output: failures.map((f) => f.block).join('\n') };
  });
}
