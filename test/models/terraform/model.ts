/**
 * Model 1: what `terraform apply` does when a program state's `cdk.tf.json` is applied on top of the state left by the
 * previous one. Terraform v1.11.4 (hashicorp/terraform tag v1.11.4, commit 35645b8fca68ff7e0b8785a3b563724a529a0caf).
 *
 * plan():  internal/terraform/node_resource_plan_instance.go (managedResourceExecute: refresh merges stored and
 *          configured dependencies; prevent_destroy via checkPreventDestroy; a no-op rewrites the stored dependencies;
 *          preconditions in plan() before the diff, postconditions after it; unknown results are skipped),
 *          node_resource_abstract_instance.go (plan: preconditions stop the resource; checkPreventDestroy applies only
 *          to resources with configuration; planDataSource: a data source is read during the plan unless its
 *          configuration holds unknown values or, when it has custom conditions, any of its dependencies has a
 *          pending change, or any depends_on resource has one — then the read is deferred to apply),
 *          node_resource_plan_orphan.go (a resource removed from configuration is planned Delete, with its stored
 *          dependencies and no prevent_destroy check), transform_destroy_cbd.go (ForcedCBDTransformer: a resource a
 *          create_before_destroy resource depends on is create_before_destroy too), eval_conditions.go (unknown →
 *          skipped; failure → error for resources, warning for check blocks), node_check.go (check assertions are
 *          always warnings).
 *          ForceNew from the provider schemas (schema.ts): a changed (or unknown) ForceNew attribute means replace.
 * apply(): graph.ts builds the apply graph; the walk runs creators/destroyers in a topological order, re-evaluates
 *          preconditions with the now-known values (node_resource_apply_instance.go managedResourceExecute calls
 *          plan() again), records state (`dependencies` = the configuration's transitive resource dependencies,
 *          `create_before_destroy` flag), and skips everything downstream of a failed node (internal/dag/walk.go).
 *
 * Approximations: no count/for_each expansion, no modules, no `replace_triggered_by`, no `ignore_changes`, no
 * CustomizeDiff (e.g. vault_pki_secret_backend_root_cert forces replacement when its issuer was deleted out of band:
 * see the `refresh` hook), provider-side normalisation of values is not modelled (what is configured is what is read).
 */
import { ApplyGraphInput, buildApplyGraph } from './build';
import {
  containsUnknown, evaluate, EvalScope, isUnknown, Node, parseJsonValue, parseTemplate, references, UNKNOWN, Value, valuesEqual,
} from './expr';
import { Graph } from './graph';
import { AttributeSchema, computedAttributes, resourceSchema } from './schema';

// ---------------------------------------------------------------------------------------------------------------
// Configuration

export interface Condition {
  readonly condition: Node;
  readonly errorMessage: string;
  readonly source: string;
}

export interface ResourceConfig {
  /** `type.name` for managed resources, `data.type.name` for data sources. */
  readonly addr: string;
  readonly mode: 'managed' | 'data';
  readonly type: string;
  readonly name: string;
  /** Attribute JSON as written (meta-arguments removed). */
  readonly raw: Record<string, unknown>;
  readonly attrs: Record<string, Node>;
  /** Resource addresses this resource references (attributes, conditions) or depends_on, in configuration. */
  readonly references: readonly string[];
  readonly dependsOn: readonly string[];
  readonly preventDestroy: boolean;
  readonly createBeforeDestroy: boolean;
  readonly preconditions: readonly Condition[];
  readonly postconditions: readonly Condition[];
  readonly provider: string;
}

export interface CheckConfig {
  readonly name: string;
  readonly asserts: readonly Condition[];
}

export interface TfConfig {
  readonly resources: ReadonlyMap<string, ResourceConfig>;
  readonly checks: readonly CheckConfig[];
}

const META = new Set(['//', 'depends_on', 'lifecycle', 'provider', 'count', 'for_each', 'provisioner', 'connection']);

function asArray<T>(v: T | T[] | undefined): T[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

function parseConditions(v: unknown, where: string): Condition[] {
  return asArray(v as Array<{ condition: string; error_message: string }>).map((c) => {
    const condition = parseTemplate(c.condition);
    // internal/configs/checks.go decodeCheckRuleBlock: `len(cr.Condition.Variables()) == 0` is a configuration error.
    if (references(condition).length === 0) {
      throw new Error(`${where}: Invalid precondition expression: The condition expression must refer to at least one object from elsewhere in the configuration, or else its result would not be checking anything.`);
    }
    return { condition, errorMessage: c.error_message, source: c.condition };
  });
}

/** Read a `cdk.tf.json` (Terraform JSON syntax). */
export function parseConfig(doc: unknown): TfConfig {
  const d = doc as {
    resource?: Record<string, Record<string, Record<string, unknown>>>;
    data?: Record<string, Record<string, Record<string, unknown>>>;
    check?: Record<string, { assert?: unknown }>;
  };
  const blocks: Array<{ mode: 'managed' | 'data'; type: string; name: string; body: Record<string, unknown> }> = [];
  for (const [type, byName] of Object.entries(d.resource ?? {})) for (const [name, body] of Object.entries(byName)) blocks.push({ mode: 'managed', type, name, body });
  for (const [type, byName] of Object.entries(d.data ?? {})) for (const [name, body] of Object.entries(byName)) blocks.push({ mode: 'data', type, name, body });
  const addrs = new Set(blocks.map((b) => (b.mode === 'data' ? `data.${b.type}.${b.name}` : `${b.type}.${b.name}`)));
  const resources = new Map<string, ResourceConfig>();
  for (const b of blocks) {
    const addr = b.mode === 'data' ? `data.${b.type}.${b.name}` : `${b.type}.${b.name}`;
    const raw: Record<string, unknown> = {};
    const attrs: Record<string, Node> = {};
    for (const [k, v] of Object.entries(b.body)) {
      if (META.has(k)) continue;
      raw[k] = v;
      attrs[k] = parseJsonValue(v);
    }
    type Block = Record<string, unknown>;
    const lifecycle = Object.assign({}, ...asArray(b.body.lifecycle as Block | Block[])) as Block;
    const preconditions = parseConditions(lifecycle.precondition, addr);
    const postconditions = parseConditions(lifecycle.postcondition, addr);
    const dependsOn = asArray(b.body.depends_on as string[]);
    const refs = new Set<string>();
    const nodes = [...Object.values(attrs), ...preconditions.map((c) => c.condition), ...postconditions.map((c) => c.condition)];
    for (const n of nodes) {
      for (const r of references(n)) {
        if (r.root === 'self' || r.root === 'var' || r.root === 'local' || r.root === 'count' || r.root === 'each' || r.root === 'path' || r.root === 'terraform') continue;
        if (!addrs.has(r.subject)) throw new Error(`${addr}: reference to undeclared resource ${r.subject}`);
        if (r.subject !== addr) refs.add(r.subject);
      }
    }
    for (const dep of dependsOn) {
      if (!addrs.has(dep)) throw new Error(`${addr}: depends_on undeclared resource ${dep}`);
      refs.add(dep);
    }
    const provider = typeof b.body.provider === 'string' ? b.body.provider : b.type.split('_')[0];
    resources.set(addr, {
      addr,
      mode: b.mode,
      type: b.type,
      name: b.name,
      raw,
      attrs,
      references: [...refs].sort(),
      dependsOn,
      preventDestroy: lifecycle.prevent_destroy === true,
      createBeforeDestroy: lifecycle.create_before_destroy === true,
      preconditions,
      postconditions,
      provider,
    });
  }
  const checks = Object.entries(d.check ?? {}).map(([name, c]) => ({ name, asserts: parseConditions(c.assert, `check.${name}`) }));
  return { resources, checks };
}

// ---------------------------------------------------------------------------------------------------------------
// State

export interface StateObject {
  readonly addr: string;
  readonly mode: 'managed' | 'data';
  readonly type: string;
  /** Configured attribute values as applied (defaults filled in). */
  readonly config: Record<string, Value>;
  /** Every attribute value: configured plus computed. */
  readonly values: Record<string, Value>;
  /** Resource addresses recorded as this object's dependencies (used to order its destruction). */
  readonly dependencies: readonly string[];
  readonly createBeforeDestroy: boolean;
  readonly provider: string;
}

export interface TfState {
  readonly resources: Readonly<Record<string, StateObject>>;
  /** Objects deposed by a create_before_destroy replacement that has not destroyed them (a failed apply). */
  readonly deposed: Readonly<Record<string, StateObject>>;
}

export const EMPTY_STATE: TfState = { resources: {}, deposed: {} };

// ---------------------------------------------------------------------------------------------------------------
// Plan

export type ChangeAction = 'create' | 'update' | 'replace' | 'delete' | 'no-op' | 'read';

export interface ResourceChange {
  readonly addr: string;
  readonly mode: 'managed' | 'data';
  readonly type: string;
  readonly action: ChangeAction;
  /** For replace: Terraform's DeleteThenCreate (default) or CreateThenDelete (create_before_destroy). */
  readonly replaceOrder?: 'delete-then-create' | 'create-then-delete';
  /** Attributes whose change forces replacement (replace), or that change (update). */
  readonly attributes: readonly string[];
  /** For data sources: whether the read happens during plan or is deferred to apply, and why. */
  readonly readAt?: 'plan' | 'apply';
  readonly readReason?: 'config-unknown' | 'dependency-pending';
  readonly hasConditions: boolean;
  readonly createBeforeDestroy: boolean;
}

export interface ConditionReport {
  /** `type.name` or `check.name`. */
  readonly owner: string;
  readonly kind: 'precondition' | 'postcondition' | 'check';
  readonly index: number;
  readonly source: string;
  /** pass/fail when known during plan; unknown means it is evaluated again (or only) during apply. */
  readonly planResult: 'pass' | 'fail' | 'unknown';
  readonly errorMessage: string;
}

export interface PlanOptions {
  /** Refresh: what the provider's Read returns for a prior object (undefined: gone). Default: unchanged. */
  readonly refresh?: (obj: StateObject) => StateObject | undefined;
  /** The value of plantimestamp() (RFC 3339). Default: unknown. */
  readonly planTimestamp?: string;
  /** What a data source read returns, given its evaluated configuration. Default: computed attributes as symbols. */
  readonly readData?: (addr: string, config: Record<string, Value>) => Record<string, Value>;
}

export interface Plan {
  readonly config: TfConfig;
  readonly priorState: TfState;
  /** The state after refresh, with the dependencies and create_before_destroy flags the plan records. */
  readonly refreshedState: TfState;
  readonly changes: ReadonlyMap<string, ResourceChange>;
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
  readonly conditions: readonly ConditionReport[];
  /** Transitive configuration dependencies of each configured resource (what state records after apply). */
  readonly configDependencies: ReadonlyMap<string, readonly string[]>;
  readonly effectiveCbd: ReadonlyMap<string, boolean>;
  readonly planTimestamp?: string;
  readonly graph: Graph;
  readonly options: PlanOptions;
}

function topoOrder(config: TfConfig): string[] {
  const out: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (a: string, path: string[]): void => {
    const s = state.get(a);
    if (s === 'done') return;
    if (s === 'visiting') throw new Error(`configuration cycle: ${[...path, a].join(' -> ')}`);
    state.set(a, 'visiting');
    for (const r of config.resources.get(a)!.references) visit(r, [...path, a]);
    state.set(a, 'done');
    out.push(a);
  };
  for (const a of [...config.resources.keys()].sort()) visit(a, []);
  return out;
}

function transitiveDeps(config: TfConfig): Map<string, string[]> {
  const memo = new Map<string, Set<string>>();
  const get = (a: string): Set<string> => {
    if (memo.has(a)) return memo.get(a)!;
    const s = new Set<string>();
    memo.set(a, s);
    for (const r of config.resources.get(a)!.references) {
      s.add(r);
      for (const x of get(r)) s.add(x);
    }
    s.delete(a);
    return s;
  };
  return new Map([...config.resources.keys()].map((a) => [a, [...get(a)].sort()]));
}

function withDefaults(type: string, mode: 'managed' | 'data', values: Record<string, Value>): Record<string, Value> {
  const out = { ...values };
  for (const [k, a] of Object.entries(resourceSchema(type, mode)?.attributes ?? {})) {
    if (!(k in out) && a.default !== undefined) out[k] = a.default as Value;
  }
  return out;
}

function asBlockList(v: Value): Array<Record<string, Value>> {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v as Array<Record<string, Value>>;
  if (typeof v === 'object' && !isUnknown(v)) return [v as Record<string, Value>];
  return [];
}

/** Whether a change of this attribute forces replacement (ForceNew on it, or on a nested attribute of its block). */
function forcesNew(a: AttributeSchema | undefined, oldV: Value, newV: Value): boolean {
  if (!a) return false;
  if (a.forceNew) return true;
  if (!a.block) return false;
  if (isUnknown(newV)) return Object.values(a.block.attributes).some((x) => x.forceNew);
  const o = asBlockList(oldV);
  const n = asBlockList(newV);
  for (let i = 0; i < Math.max(o.length, n.length); i++) {
    for (const [k, sub] of Object.entries(a.block.attributes)) {
      const ov = o[i]?.[k] ?? null;
      const nv = n[i]?.[k] ?? null;
      if (!valuesEqual(ov, nv) && forcesNew(sub, ov, nv)) return true;
    }
  }
  return false;
}

function evalAttrs(rc: ResourceConfig, scope: EvalScope): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const [k, n] of Object.entries(rc.attrs)) out[k] = evaluate(n, scope);
  return out;
}

/** The object a reference to a resource evaluates to: its values, with every schema attribute present. */
function objectValue(type: string, mode: 'managed' | 'data', config: Record<string, Value>, computed: 'unknown' | Record<string, Value>): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const k of Object.keys(resourceSchema(type, mode)?.attributes ?? {})) out[k] = null;
  for (const [k] of computedAttributes(type, mode)) out[k] = computed === 'unknown' ? UNKNOWN : (computed[k] ?? null);
  if (computed !== 'unknown') Object.assign(out, computed);
  Object.assign(out, config);
  if (computed === 'unknown') {
    for (const [k, a] of computedAttributes(type, mode)) if (!(k in config) || !a.optional) out[k] = UNKNOWN;
  }
  return out;
}

export function buildScope(values: ReadonlyMap<string, Record<string, Value>>, planTimestamp?: string, self?: Record<string, Value>): EvalScope {
  const vars: Record<string, Value> = { data: {} };
  for (const [addr, v] of values) {
    const parts = addr.split('.');
    if (parts[0] === 'data') {
      const data = vars.data as Record<string, Record<string, Value>>;
      data[parts[1]] = { ...(data[parts[1]] ?? {}), [parts[2]]: v };
    } else {
      vars[parts[0]] = { ...((vars[parts[0]] as Record<string, Value>) ?? {}), [parts[1]]: v };
    }
  }
  if (self) vars.self = self;
  return { vars, planTimestamp };
}

function checkConditions(
  owner: string, kind: 'precondition' | 'postcondition' | 'check', conds: readonly Condition[], scope: EvalScope, reports: ConditionReport[],
): Array<{ index: number; message: string }> {
  const failed: Array<{ index: number; message: string }> = [];
  conds.forEach((c, index) => {
    const v = evaluate(c.condition, scope);
    const planResult = isUnknown(v) ? 'unknown' : v ? 'pass' : 'fail';
    reports.push({ owner, kind, index, source: c.source, planResult, errorMessage: c.errorMessage });
    if (planResult === 'fail') failed.push({ index, message: c.errorMessage });
  });
  return failed;
}

/** Plan `config` on top of `prior` (the state the previous apply left). */
export function plan(prior: TfState, config: TfConfig, options: PlanOptions = {}): Plan {
  const order = topoOrder(config);
  const deps = transitiveDeps(config);
  const effectiveCbd = new Map<string, boolean>();
  for (const [a, rc] of config.resources) {
    if (rc.mode !== 'managed') continue;
    const dependents = [...config.resources.values()].filter((d) => d.mode === 'managed' && deps.get(d.addr)!.includes(a));
    effectiveCbd.set(a, rc.createBeforeDestroy || dependents.some((d) => d.createBeforeDestroy));
  }

  // Refresh.
  const refreshed: Record<string, StateObject> = {};
  for (const [a, obj] of Object.entries(prior.resources)) {
    const r = options.refresh ? options.refresh(obj) : obj;
    if (r) refreshed[a] = r;
  }

  const planned = new Map<string, Record<string, Value>>();
  const changes = new Map<string, ResourceChange>();
  const errors: string[] = [];
  const warnings: string[] = [];
  const conditions: ConditionReport[] = [];
  const recorded: Record<string, StateObject> = {};

  for (const addr of order) {
    const rc = config.resources.get(addr)!;
    const scope = buildScope(planned, options.planTimestamp);
    const hasConditions = rc.preconditions.length + rc.postconditions.length > 0;
    const preFailed = checkConditions(addr, 'precondition', rc.preconditions, scope, conditions);
    for (const f of preFailed) errors.push(`Resource precondition failed: ${addr} precondition[${f.index}]: ${f.message}`);
    const values = withDefaults(rc.type, rc.mode, evalAttrs(rc, scope));

    if (rc.mode === 'data') {
      const configKnown = !Object.values(values).some(containsUnknown);
      const depsToUse = hasConditions ? deps.get(addr)! : rc.dependsOn;
      const depsPending = depsToUse.some((d) => !d.startsWith('data.') && changes.has(d) && changes.get(d)!.action !== 'no-op');
      let readAt: 'plan' | 'apply' = 'plan';
      let readReason: ResourceChange['readReason'];
      if (!configKnown) { readAt = 'apply'; readReason = 'config-unknown'; } else if (depsPending) { readAt = 'apply'; readReason = 'dependency-pending'; }
      let value: Record<string, Value>;
      if (readAt === 'apply') {
        value = objectValue(rc.type, rc.mode, values, 'unknown');
      } else {
        const read = options.readData ? options.readData(addr, values) : Object.fromEntries(computedAttributes(rc.type, 'data').map(([k]) => [k, `${addr}.${k}`]));
        value = objectValue(rc.type, rc.mode, values, read);
        recorded[addr] = { addr, mode: 'data', type: rc.type, config: values, values: value, dependencies: [], createBeforeDestroy: false, provider: rc.provider };
      }
      planned.set(addr, value);
      changes.set(addr, {
        addr,
        mode: 'data',
        type: rc.type,
        action: readAt === 'apply' ? 'read' : 'no-op',
        readAt,
        readReason,
        attributes: [],
        hasConditions,
        createBeforeDestroy: false,
      });
      const postFailed = checkConditions(addr, 'postcondition', rc.postconditions, buildScope(planned, options.planTimestamp, value), conditions);
      for (const f of postFailed) errors.push(`Resource postcondition failed: ${addr} postcondition[${f.index}]: ${f.message}`);
      continue;
    }

    const prev = refreshed[addr];
    const schema = resourceSchema(rc.type);
    let action: ChangeAction;
    const changed: string[] = [];
    const forcing: string[] = [];
    if (!prev) {
      action = 'create';
    } else {
      const keys = new Set([...Object.keys(values), ...Object.keys(prev.config)]);
      for (const k of [...keys].sort()) {
        const a = schema?.attributes[k];
        let nv: Value;
        if (k in values) nv = values[k];
        else if (a?.computed) continue; // optional+computed left unset: keeps what was read
        else nv = null;
        const ov = k in prev.config ? prev.config[k] : (prev.values[k] ?? null);
        if (containsUnknown(nv) || !valuesEqual(ov, nv)) {
          changed.push(k);
          if (forcesNew(a, ov, nv)) forcing.push(k);
        }
      }
      action = forcing.length ? 'replace' : changed.length ? 'update' : 'no-op';
    }
    const cbd = effectiveCbd.get(addr)!;
    if (action === 'replace' && rc.preventDestroy) {
      errors.push(`Instance cannot be destroyed: Resource ${addr} has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed (replacement forced by ${forcing.join(', ')}).`);
    }
    let value: Record<string, Value>;
    if (action === 'create' || action === 'replace') value = objectValue(rc.type, 'managed', values, 'unknown');
    else if (action === 'update') value = objectValue(rc.type, 'managed', values, prev.values);
    else value = prev.values;
    if (rc.type === 'terraform_data' && action !== 'no-op') value = { ...value, output: UNKNOWN };
    planned.set(addr, value);
    changes.set(addr, {
      addr,
      mode: 'managed',
      type: rc.type,
      action,
      replaceOrder: action === 'replace' ? (cbd ? 'create-then-delete' : 'delete-then-create') : undefined,
      attributes: action === 'replace' ? forcing : changed,
      hasConditions,
      createBeforeDestroy: cbd,
    });
    if (prev) {
      // Refresh merges configured into stored dependencies; a no-op writes the configured ones (node_resource_plan_instance.go).
      const merged = action === 'no-op' ? deps.get(addr)! : [...new Set([...deps.get(addr)!, ...prev.dependencies])].sort();
      recorded[addr] = { ...prev, dependencies: merged, createBeforeDestroy: cbd };
    }
    const postFailed = checkConditions(addr, 'postcondition', rc.postconditions, buildScope(planned, options.planTimestamp, value), conditions);
    for (const f of postFailed) errors.push(`Resource postcondition failed: ${addr} postcondition[${f.index}]: ${f.message}`);
  }

  // Orphans: in state, not in configuration.
  for (const [addr, obj] of Object.entries(refreshed)) {
    if (config.resources.has(addr)) continue;
    if (obj.mode === 'data') continue; // an orphaned data source is only forgotten
    changes.set(addr, {
      addr,
      mode: 'managed',
      type: obj.type,
      action: 'delete',
      attributes: [],
      hasConditions: false,
      createBeforeDestroy: obj.createBeforeDestroy,
    });
    recorded[addr] = obj;
  }

  // Check blocks: warnings only.
  const finalScope = buildScope(planned, options.planTimestamp);
  for (const c of config.checks) {
    c.asserts.forEach((a, index) => {
      const v = evaluate(a.condition, finalScope);
      const planResult = isUnknown(v) ? 'unknown' : v ? 'pass' : 'fail';
      conditions.push({ owner: `check.${c.name}`, kind: 'check', index, source: a.source, planResult, errorMessage: a.errorMessage });
      if (planResult === 'unknown') warnings.push(`Check block assertion known after apply: check.${c.name}`);
      if (planResult === 'fail') warnings.push(`Check block assertion failed: check.${c.name}: ${a.errorMessage}`);
    });
  }

  const refreshedState: TfState = { resources: recorded, deposed: prior.deposed };
  const graphInput: ApplyGraphInput = {
    config, changes, state: refreshedState,
  };
  return {
    config,
    priorState: prior,
    refreshedState,
    changes,
    errors,
    warnings,
    conditions,
    configDependencies: deps,
    effectiveCbd,
    planTimestamp: options.planTimestamp,
    graph: buildApplyGraph(graphInput),
    options,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Apply

export interface Operation {
  /** The apply-graph vertex name: `addr`, `addr (destroy)`, `addr (destroy deposed)`. */
  readonly id: string;
  readonly addr: string;
  readonly type: string;
  readonly mode: 'managed' | 'data';
  /** create, update, delete, read, or check (a no-op resource re-checking its conditions). */
  readonly kind: 'create' | 'update' | 'delete' | 'read' | 'check';
  /** Set when the operation is half of a replacement. */
  readonly replace?: 'delete-then-create' | 'create-then-delete';
}

export interface ExecuteContext {
  /** Fully-known configured values (create/update/read). */
  readonly values: Record<string, Value>;
  /** The object in state before the operation (update/delete; for a replacement's create, the object being replaced). */
  readonly prior?: StateObject;
}

/** Performs an operation against the real system; returns computed attribute values, or throws to fail. */
export type Executor = (op: Operation, ctx: ExecuteContext) => Record<string, Value> | void;

export interface ApplyOptions {
  readonly executor?: Executor;
  /** Operation ids to make fail (as if the provider returned an error). */
  readonly failOn?: readonly string[];
}

export interface StepRecord {
  readonly op: Operation;
  readonly outcome: 'applied' | 'failed' | 'skipped';
  readonly error?: string;
}

export interface ApplyResult {
  /** False when the plan had errors: nothing was applied. */
  readonly applied: boolean;
  readonly errors: readonly string[];
  /** Every operation in the order the walk reached it (one valid serialization). */
  readonly steps: readonly StepRecord[];
  readonly state: TfState;
}

let serial = 0;

/** Default executor: computed attributes become stable symbols `<addr>#<n>.<attr>` (lists hold one symbol). */
export const symbolicExecutor: Executor = (op) => {
  if (op.kind === 'delete' || op.kind === 'check') return;
  serial++;
  const out: Record<string, Value> = {};
  for (const [k, a] of computedAttributes(op.type, op.mode)) {
    out[k] = a.type === 'list' || a.type === 'set' ? [`${op.addr}#${serial}.${k}[0]`] : `${op.addr}#${serial}.${k}`;
  }
  return out;
};

export function operationOf(p: Plan, id: string): Operation | undefined {
  const n = p.graph.nodes.get(id);
  if (!n || n.kind === 'expand') return undefined;
  const c = p.changes.get(n.addr)!;
  const base = { id, addr: n.addr, type: c.type, mode: c.mode };
  if (n.kind === 'destroy' || n.kind === 'destroy-deposed') {
    return { ...base, kind: 'delete', replace: c.action === 'replace' ? c.replaceOrder : undefined };
  }
  const kind = c.action === 'create' || c.action === 'replace' ? 'create' : c.action === 'update' ? 'update' : c.action === 'read' ? 'read' : 'check';
  return { ...base, kind, replace: c.action === 'replace' ? c.replaceOrder : undefined };
}

/** The operations of a plan, in the walk's deterministic order. */
export function operations(p: Plan): Operation[] {
  return p.graph.topologicalOrder().map((id) => operationOf(p, id)).filter((o): o is Operation => o !== undefined);
}

export function apply(p: Plan, options: ApplyOptions = {}): ApplyResult {
  if (p.errors.length) return { applied: false, errors: p.errors, steps: [], state: p.priorState };
  const executor = options.executor ?? symbolicExecutor;
  const resources: Record<string, StateObject> = { ...p.refreshedState.resources };
  const deposed: Record<string, StateObject> = { ...p.refreshedState.deposed };
  const done = new Set<string>();
  const bad = new Set<string>();
  const steps: StepRecord[] = [];
  const errors: string[] = [];

  const currentValues = (): Map<string, Record<string, Value>> => {
    const m = new Map<string, Record<string, Value>>();
    for (const [a, o] of Object.entries(resources)) m.set(a, o.values);
    return m;
  };

  for (const id of p.graph.topologicalOrder()) {
    const node = p.graph.nodes.get(id)!;
    const upstreamFailed = [...p.graph.down.get(id)!].some((d) => bad.has(d));
    const op = operationOf(p, id);
    if (upstreamFailed) {
      bad.add(id);
      if (op) steps.push({ op, outcome: 'skipped', error: 'upstream dependencies failed' });
      continue;
    }
    if (!op) { done.add(id); continue; }
    const rc = p.config.resources.get(op.addr);
    const fail = (msg: string): void => {
      bad.add(id);
      errors.push(`${id}: ${msg}`);
      steps.push({ op, outcome: 'failed', error: msg });
    };
    try {
      if (op.kind === 'delete') {
        const target = node.kind === 'destroy-deposed' ? deposed[op.addr] : resources[op.addr];
        if (options.failOn?.includes(id)) throw new Error('injected failure');
        executor(op, { values: {}, prior: target });
        if (node.kind === 'destroy-deposed') delete deposed[op.addr];
        else delete resources[op.addr];
        steps.push({ op, outcome: 'applied' });
        done.add(id);
        continue;
      }
      const scope = buildScope(currentValues(), p.planTimestamp);
      const preFailed = rc!.preconditions.filter((c) => evaluate(c.condition, scope) === false);
      if (preFailed.length) { fail(`Resource precondition failed: ${preFailed[0].errorMessage}`); continue; }
      const values = withDefaults(rc!.type, rc!.mode, evalAttrs(rc!, scope));
      if (Object.values(values).some(containsUnknown)) throw new Error('configuration still unknown during apply');
      const prev = resources[op.addr];
      if (op.kind === 'check') {
        steps.push({ op, outcome: 'applied' });
      } else {
        if (op.replace === 'create-then-delete' && prev) { deposed[op.addr] = prev; delete resources[op.addr]; }
        let computed: Record<string, Value> | void;
        try {
          if (options.failOn?.includes(id)) throw new Error('injected failure');
          computed = executor(op, { values, prior: op.replace ? deposed[op.addr] ?? prev : prev });
        } catch (e) {
          if (op.replace === 'create-then-delete' && deposed[op.addr]) { resources[op.addr] = deposed[op.addr]; delete deposed[op.addr]; }
          throw e;
        }
        const base = op.kind === 'update' && prev ? prev.values : {};
        const all = { ...objectValue(rc!.type, rc!.mode, values, { ...base, ...(computed ?? {}) }) };
        if (rc!.type === 'terraform_data') all.output = values.input ?? null;
        resources[op.addr] = {
          addr: op.addr,
          mode: rc!.mode,
          type: rc!.type,
          config: values,
          values: all,
          dependencies: rc!.mode === 'data' ? [] : p.configDependencies.get(op.addr)!,
          createBeforeDestroy: p.effectiveCbd.get(op.addr) ?? false,
          provider: rc!.provider,
        };
        steps.push({ op, outcome: 'applied' });
      }
      const post = buildScope(currentValues(), p.planTimestamp, resources[op.addr]?.values);
      const postFailed = rc!.postconditions.filter((c) => evaluate(c.condition, post) === false);
      if (postFailed.length) {
        bad.add(id);
        errors.push(`${id}: Resource postcondition failed: ${postFailed[0].errorMessage}`);
        continue;
      }
      done.add(id);
    } catch (e) {
      if (op.kind === 'create' && op.replace === 'delete-then-create') delete resources[op.addr];
      fail((e as Error).message);
    }
  }
  return { applied: true, errors, steps, state: { resources, deposed } };
}

/** Plan and apply `configDoc` (a `cdk.tf.json` object) on top of `prior`. */
export function applyConfig(prior: TfState, configDoc: unknown, opts: PlanOptions & ApplyOptions = {}): { plan: Plan; result: ApplyResult } {
  const p = plan(prior, parseConfig(configDoc), opts);
  return { plan: p, result: apply(p, opts) };
}

/** The state a fresh apply of `configDoc` leaves (all creates succeed). */
export function stateAfter(configDoc: unknown, opts: PlanOptions & ApplyOptions = {}): TfState {
  const { result } = applyConfig(EMPTY_STATE, configDoc, opts);
  if (!result.applied || result.errors.length) throw new Error(`fresh apply failed: ${result.errors.join('; ')}`);
  return result.state;
}

/** True when operation `a` happens before operation `b` in every valid order of the plan's walk. */
export function happensBefore(p: Plan, a: string, b: string): boolean {
  return p.graph.happensBefore(a, b);
}

/** The ordering constraints among operations: [before, after] pairs (the transitive closure, operations only). */
export function orderingConstraints(p: Plan): Array<[string, string]> {
  const ops = p.graph.operations().map((n) => n.id);
  const out: Array<[string, string]> = [];
  for (const b of ops) {
    const anc = p.graph.ancestors(b);
    for (const a of ops) if (anc.has(a)) out.push([a, b]);
  }
  return out.sort((x, y) => (x[0] + x[1]).localeCompare(y[0] + y[1]));
}
