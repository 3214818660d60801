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

/**
 * `terraform plan` of `tf`'s guards against `vault`, after an earlier apply that left the records `records` (logical id
 * of a `terraform_data` record -> the time it was planned, ISO 8601) in state.
 */
export function planGuards(tf: any, vault: VaultState, records: Record<string, string> = {}): PlanResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-pki-plan-'));
  try {
    // No `terraform init`: the configuration holds built-in resources only (terraform_data) and the local backend, which
    // need nothing installed (init would only create an empty .terraform/).
    if (Object.keys(records).length > 0) fs.writeFileSync(path.join(dir, 'terraform.tfstate'), seededState(records));
    fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify(guardConfiguration(tf, vault), null, 1));
    const plan = terraform(dir, ['plan', '-no-color', '-input=false', '-lock=false']);
    // Each failure: the heading, the source context (up to the last `│` line), then the rendered error_message.
    const errors = plan.out.split(/\n(?=Error: )/).filter((block) => block.startsWith('Error: Resource precondition failed')).map((block) => {
      const lines = block.split('\n');
      const lastContext = lines.map((l, i) => (/^\s*(│|├|\d+:|on )/.test(l) ? i : -1)).reduce((a, b) => Math.max(a, b), 0);
      return lines.slice(lastContext + 1).join(' ').replace(/\s+/g, ' ').trim();
    });
    if (plan.status !== 0 && errors.length === 0) throw new Error(`terraform plan failed without a precondition: ${plan.out}`);
    return { ok: plan.status === 0, errors, output: plan.out };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
