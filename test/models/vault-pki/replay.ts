/**
 * Replays a program-state transition: Model 1 (Terraform's plan and apply walk) drives Model 2 (Vault's PKI engine)
 * through the provider's CRUD semantics (provider.ts), and after every operation records Vault's state and whether each
 * tenant role can sign.
 */
import { vaultExecutor, vaultRefresh } from './provider';
import { canSign, EMPTY_VAULT, isRevoked, VaultState } from './vault';
import {
  apply, ApplyResult, EMPTY_STATE, Operation, parseConfig, plan, Plan, TfState,
} from '../terraform/model';

export interface RoleRef { readonly mount: string; readonly role: string }

export interface ReplayStep {
  readonly op: Operation;
  readonly outcome: 'applied' | 'failed' | 'skipped';
  readonly error?: string;
  /** Vault after this operation. */
  readonly vault: VaultState;
  /** `<mount>/<role>` → whether sign/:role works now (and why not). */
  readonly signing: Readonly<Record<string, { ok: boolean; issuer?: string; reason?: string }>>;
}

export interface ReplayResult {
  readonly plan: Plan;
  readonly applied: boolean;
  readonly errors: readonly string[];
  readonly steps: readonly ReplayStep[];
  readonly tfState: TfState;
  readonly vault: VaultState;
}

export interface Start { readonly tfState: TfState; readonly vault: VaultState }

export interface ReplayOptions {
  /** Where to start from; default: a fresh apply of `prior` on an empty Vault. */
  readonly start?: Start;
  /** Apply-graph vertex names to make fail. */
  readonly failOn?: readonly string[];
  /** The value of plantimestamp(). */
  readonly planTimestamp?: string;
  /** Roles to watch; default: every vault_pki_secret_backend_role in either configuration. */
  readonly roles?: readonly RoleRef[];
}

/** Every tenant role (vault_pki_secret_backend_role) of a cdk.tf.json, by mount and name. */
export function rolesOf(doc: unknown): RoleRef[] {
  const res = ((doc as { resource?: Record<string, Record<string, Record<string, unknown>>> }).resource ?? {}).vault_pki_secret_backend_role ?? {};
  return Object.values(res).map((r) => ({ mount: String(r.backend), role: String(r.name) })).filter((r) => !r.mount.includes('${'));
}

function signingOf(vault: VaultState, roles: readonly RoleRef[]): Record<string, { ok: boolean; issuer?: string; reason?: string }> {
  return Object.fromEntries(roles.map((r) => [`${r.mount}/${r.role}`, canSign(vault, r.mount, r.role)]));
}

/** Plan and apply `doc` on top of `start`, operation by operation. */
export function applyStep(start: Start, doc: unknown, options: Omit<ReplayOptions, 'start'> = {}): ReplayResult {
  const box = { vault: start.vault };
  const roles = options.roles ?? rolesOf(doc);
  const p = plan(start.tfState, parseConfig(doc), { refresh: vaultRefresh(box), planTimestamp: options.planTimestamp });
  const steps: ReplayStep[] = [];
  const inner = vaultExecutor(box);
  const snaps = new Map<string, VaultState>();
  const result: ApplyResult = apply(p, {
    failOn: options.failOn,
    executor: (op, ctx) => {
      try {
        return inner(op, ctx);
      } finally {
        snaps.set(op.id, box.vault);
      }
    },
  });
  let last = start.vault;
  for (const s of result.steps) {
    const after = s.outcome === 'applied' ? snaps.get(s.op.id) ?? last : last;
    last = after;
    steps.push({ op: s.op, outcome: s.outcome, error: s.error, vault: after, signing: signingOf(after, roles) });
  }
  return { plan: p, applied: result.applied, errors: result.errors, steps, tfState: result.state, vault: box.vault };
}

/** A fresh install of `doc` on an empty Vault. */
export function install(doc: unknown): Start {
  const r = applyStep({ tfState: EMPTY_STATE, vault: EMPTY_VAULT }, doc, { roles: [] });
  if (!r.applied || r.errors.length) throw new Error(`fresh install failed: ${r.errors.join('; ')}`);
  return { tfState: r.tfState, vault: r.vault };
}

/** replay(prior, next): install `prior` (unless options.start is given), then apply `next` step by step. */
export function replay(priorTfJson: unknown, nextTfJson: unknown, options: ReplayOptions = {}): ReplayResult & { start: Start } {
  const start = options.start ?? install(priorTfJson);
  const roles = options.roles ?? [...new Map([...rolesOf(priorTfJson), ...rolesOf(nextTfJson)].map((r) => [`${r.mount}/${r.role}`, r])).values()];
  return { ...applyStep(start, nextTfJson, { ...options, roles }), start };
}

/** Apply a sequence of program states from a fresh install of the first. */
export function replaySequence(docs: readonly unknown[], options: Omit<ReplayOptions, 'start'> = {}): Array<ReplayResult & { start: Start }> {
  let start = install(docs[0]);
  const out: Array<ReplayResult & { start: Start }> = [];
  for (let i = 1; i < docs.length; i++) {
    const r = replay(docs[i - 1], docs[i], { ...options, start });
    out.push(r);
    start = { tfState: r.tfState, vault: r.vault };
  }
  return out;
}

/** Steps after which some watched role cannot sign. */
export function stepsWhereARoleCannotSign(r: ReplayResult): Array<{ op: string; roles: string[] }> {
  return r.steps
    .map((s) => ({ op: s.op.id, roles: Object.entries(s.signing).filter(([, x]) => !x.ok).map(([k]) => k) }))
    .filter((x) => x.roles.length > 0);
}

/** The serial of a root_sign_intermediate resource in a Terraform state. */
export function signedSerial(state: TfState, addr: string): string | undefined {
  const s = state.resources[addr]?.values.serial_number;
  return typeof s === 'string' ? s : undefined;
}

export { isRevoked };
