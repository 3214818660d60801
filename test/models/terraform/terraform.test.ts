import * as fs from 'fs';
import * as path from 'path';
import { buildGenericApplyGraph, GraphAction } from './build';
import { destroyEdgeTransform, Graph } from './graph';
import {
  apply, applyConfig, EMPTY_STATE, happensBefore, operations, orderingConstraints, parseConfig, plan, Plan, stateAfter,
} from './model';
import { runRaw, runReal, terraformBinary } from './real-terraform';

const UPSTREAM = JSON.parse(fs.readFileSync(path.join(__dirname, 'upstream-cases.json'), 'utf8')) as {
  cases: Array<{
    test: string;
    kind: string;
    source: string;
    nodes?: Array<{ addr: string; type: 'destroy' | 'update'; dependencies?: string[] }>;
    state: Record<string, { dependencies: string[]; createBeforeDestroy?: boolean }>;
    changes?: Record<string, string> | Array<{ addr: string; action: GraphAction }>;
    config?: Array<{ addr: string; references: string[]; createBeforeDestroy: boolean }>;
    expected?: string;
    happensBefore?: Array<[string, string]>;
  }>;
};

/** Library program states as synthesized at commit e2c9602 (frozen copies, see ../vault-pki/README.md). */
const FIXTURES = path.join(__dirname, '..', 'vault-pki', 'fixtures');
function phase(name: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.tf.json`), 'utf8'));
}

const ISSUER = 'vault_pki_secret_backend_issuer';
const CONFIG_ISSUERS = 'vault_pki_secret_backend_config_issuers';

describe('Model 1 reproduces hashicorp/terraform v1.11.4 test tables (upstream-cases.json)', () => {
  test.each(UPSTREAM.cases.map((c) => [c.test, c] as const))('%s', (_name, c) => {
    if (c.kind === 'destroy-edge') {
      const g = new Graph();
      for (const n of c.nodes!) {
        const st = c.state[n.addr];
        const noOp = (c.changes as Record<string, string> | undefined)?.[n.addr] === 'no-op';
        g.add(n.type === 'destroy'
          ? { id: `${n.addr} (destroy)`, kind: 'destroy', addr: n.addr, configAddr: n.addr.replace(/\[[^\]]*\]/g, ''), action: 'delete', provider: 'test', stateDependencies: st?.dependencies ?? [] }
          : { id: n.addr, kind: 'creator', addr: n.addr, configAddr: n.addr.replace(/\[[^\]]*\]/g, ''), action: 'update', provider: 'test', participates: !noOp, stateDependencies: st?.dependencies, attachedDependencies: n.dependencies });
      }
      destroyEdgeTransform(g, { haveChanges: c.changes !== undefined });
      expect(g.toString()).toBe(c.expected);
      return;
    }
    const g = buildGenericApplyGraph({
      resources: c.config!.map((r) => ({ ...r, provider: 'test' })),
      changes: c.changes as Array<{ addr: string; action: GraphAction }>,
      state: c.state,
      reduce: true,
    });
    if (c.kind === 'apply-graph') g.filterInstances();
    if (c.expected !== undefined) expect(g.toString()).toBe(c.expected);
    for (const [a, b] of c.happensBefore ?? []) expect(g.happensBefore(a, b)).toBe(true);
  });
});

describe('plan and graph semantics', () => {
  const two = (bDepends: boolean, extra: Record<string, unknown> = {}): unknown => ({
    resource: {
      terraform_data: {
        a: { input: 'a' },
        b: { input: bDepends ? '${terraform_data.a.id}' : 'changed', ...extra },
      },
    },
  });

  test('key fact: a resource removed from configuration is destroyed BEFORE the update of what depended on it in state', () => {
    const prior = stateAfter(two(true));
    expect(prior.resources['terraform_data.b'].dependencies).toEqual(['terraform_data.a']);
    const p = plan(prior, parseConfig({ resource: { terraform_data: { b: { input: 'changed' } } } }));
    expect(p.changes.get('terraform_data.a')!.action).toBe('delete');
    expect(p.changes.get('terraform_data.b')!.action).toBe('update');
    expect(happensBefore(p, 'terraform_data.a (destroy)', 'terraform_data.b')).toBe(true);
  });

  test('the library case: deleting an issuer that config_issuers referenced happens before config_issuers is updated (reference -> 3-retire)', () => {
    const p = plan(stateAfter(phase('reference')), parseConfig(phase('3-retire')));
    expect(p.errors).toEqual([]);
    expect(p.changes.get(`${ISSUER}.pki_int_services_issuer`)!.action).toBe('delete');
    expect(p.changes.get(`${CONFIG_ISSUERS}.pki_int_services_default-issuer`)!.action).toBe('update');
    expect(happensBefore(p, `${ISSUER}.pki_int_services_issuer (destroy)`, `${CONFIG_ISSUERS}.pki_int_services_default-issuer`)).toBe(true);
  });

  test('state records transitive dependencies (AttachDependenciesTransformer walks all ancestors)', () => {
    const s = stateAfter({ resource: { terraform_data: { a: { input: 1 }, b: { input: '${terraform_data.a.id}' }, c: { input: '${terraform_data.b.id}' } } } });
    expect(s.resources['terraform_data.c'].dependencies).toEqual(['terraform_data.a', 'terraform_data.b']);
  });

  test('ForceNew: a changed ForceNew attribute (schema) replaces; prevent_destroy then fails the plan; an orphan with prevent_destroy is destroyed', () => {
    const mount = (type: string, pd: boolean): unknown => ({ resource: { vault_mount: { m: { path: 'pki', type, ...(pd ? { lifecycle: { prevent_destroy: true } } : {}) } } } });
    const prior = stateAfter(mount('pki', true));
    const replace = plan(prior, parseConfig(mount('kv', false)));
    expect(replace.changes.get('vault_mount.m')).toMatchObject({ action: 'replace', replaceOrder: 'delete-then-create', attributes: ['type'] });
    const blocked = plan(prior, parseConfig(mount('kv', true)));
    expect(blocked.errors.join()).toMatch(/Instance cannot be destroyed/);
    expect(apply(blocked).applied).toBe(false);
    const orphan = plan(prior, parseConfig({}));
    expect(orphan.errors).toEqual([]);
    expect(orphan.changes.get('vault_mount.m')!.action).toBe('delete');
  });

  test('an unknown ForceNew input (its source is replaced) replaces the dependent too', () => {
    const doc = (cn: string): unknown => ({
      resource: {
        vault_mount: { m: { path: 'pki', type: 'pki' } },
        vault_pki_secret_backend_intermediate_cert_request: { csr: { backend: '${vault_mount.m.path}', type: 'internal', common_name: cn } },
        vault_pki_secret_backend_root_sign_intermediate: { s: { backend: 'root', csr: '${vault_pki_secret_backend_intermediate_cert_request.csr.csr}', common_name: 'x' } },
      },
    });
    const p = plan(stateAfter(doc('a')), parseConfig(doc('b')));
    expect(p.changes.get('vault_pki_secret_backend_intermediate_cert_request.csr')!.action).toBe('replace');
    expect(p.changes.get('vault_pki_secret_backend_root_sign_intermediate.s')).toMatchObject({ action: 'replace', attributes: ['csr'] });
    // DeleteThenCreate: the dependent's destroy comes before its dependency's destroy, creates in reverse.
    expect(happensBefore(p, 'vault_pki_secret_backend_root_sign_intermediate.s (destroy)', 'vault_pki_secret_backend_intermediate_cert_request.csr (destroy)')).toBe(true);
    expect(happensBefore(p, 'vault_pki_secret_backend_intermediate_cert_request.csr', 'vault_pki_secret_backend_root_sign_intermediate.s')).toBe(true);
  });

  test('create_before_destroy: CreateThenDelete, and the orphan\'s CBD flag recorded in state reverses the update/destroy order', () => {
    const prior = stateAfter(two(true, {}), {});
    const cbdPrior = stateAfter({ resource: { terraform_data: { a: { input: 'a', lifecycle: { create_before_destroy: true } }, b: { input: '${terraform_data.a.id}' } } } });
    expect(cbdPrior.resources['terraform_data.a'].createBeforeDestroy).toBe(true);
    const next = parseConfig({ resource: { terraform_data: { b: { input: 'changed' } } } });
    expect(happensBefore(plan(prior, next), 'terraform_data.a (destroy)', 'terraform_data.b')).toBe(true);
    expect(happensBefore(plan(cbdPrior, next), 'terraform_data.b', 'terraform_data.a (destroy)')).toBe(true);
    const replaced = plan(cbdPrior, parseConfig({ resource: { terraform_data: { a: { triggers_replace: 'new', input: 'a', lifecycle: { create_before_destroy: true } }, b: { input: '${terraform_data.a.id}' } } } }));
    expect(replaced.changes.get('terraform_data.a')).toMatchObject({ action: 'replace', replaceOrder: 'create-then-delete' });
    expect(happensBefore(replaced, 'terraform_data.a', 'terraform_data.b')).toBe(true);
    expect(happensBefore(replaced, 'terraform_data.b', 'terraform_data.a (destroy deposed)')).toBe(true);
  });

  test('a serialization is a topological order, and the constraints list every must-happen-before pair', () => {
    const p = plan(stateAfter(phase('reference')), parseConfig(phase('3-retire')));
    const order = operations(p).map((o) => o.id);
    for (const [a, b] of orderingConstraints(p)) expect(order.indexOf(a)).toBeLessThan(order.indexOf(b));
  });

  test('mid-apply failure: everything downstream of the failed operation is skipped, everything else still runs', () => {
    const prior = stateAfter(phase('reference'));
    const p = plan(prior, parseConfig(phase('3-retire')));
    const failed = `${ISSUER}.pki_int_services_issuer (destroy)`;
    const r = apply(p, { failOn: [failed] });
    const outcome = (id: string): string | undefined => r.steps.find((s) => s.op.id === id)?.outcome;
    expect(outcome(failed)).toBe('failed');
    for (const s of r.steps) {
      if (p.graph.happensBefore(failed, s.op.id)) expect(s.outcome).toBe('skipped');
      else if (s.op.id !== failed) expect(s.outcome).toBe('applied');
    }
    expect(outcome(`${CONFIG_ISSUERS}.pki_int_services_default-issuer`)).toBe('skipped');
    expect(outcome(`${ISSUER}.pki_int_ingress_issuer (destroy)`)).toBe('applied');
    // The failed destroy leaves the issuer in state; the skipped config_issuers keeps its old value.
    expect(r.state.resources[`${ISSUER}.pki_int_services_issuer`]).toBeDefined();
    expect(r.state.resources[`${CONFIG_ISSUERS}.pki_int_services_default-issuer`].config.default).toBe(prior.resources[`${CONFIG_ISSUERS}.pki_int_services_default-issuer`].config.default);
  });

  describe('conditions, check blocks and data sources (when Terraform evaluates them)', () => {
    const guarded = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
      resource: {
        terraform_data: {
          src: { input: 'not-ok' },
          guarded: { input: 'g', lifecycle: { precondition: [{ condition: '${terraform_data.src.output == "ok"}', error_message: 'src not ok' }] } },
          independent: { input: 'i' },
        },
      },
      ...extra,
    });

    test('a precondition over a value unknown at plan (fresh install) is skipped at plan and fails at apply, only for its resource', () => {
      const { plan: p, result } = applyConfig(EMPTY_STATE, guarded());
      expect(p.errors).toEqual([]);
      expect(p.conditions.find((c) => c.owner === 'terraform_data.guarded')!.planResult).toBe('unknown');
      expect(result.steps.find((s) => s.op.id === 'terraform_data.guarded')!.outcome).toBe('failed');
      expect(Object.keys(result.state.resources).sort()).toEqual(['terraform_data.independent', 'terraform_data.src']);
    });

    test('once the value is known (second plan), the failing precondition fails the whole plan: nothing is applied', () => {
      const { result } = applyConfig(EMPTY_STATE, { resource: { terraform_data: { src: { input: 'not-ok' } } } });
      const p = plan(result.state, parseConfig(guarded()));
      expect(p.errors.join()).toMatch(/precondition failed.*src not ok/);
      expect(apply(p).applied).toBe(false);
    });

    test('a condition must reference some object (configs/checks.go): plantimestamp() alone is a configuration error', () => {
      const doc = { resource: { terraform_data: { x: { input: 1, lifecycle: { precondition: [{ condition: '${timecmp(plantimestamp(), "2026-11-02T10:30:00Z") >= 0}', error_message: 'too early' }] } } } } };
      expect(() => parseConfig(doc)).toThrow(/must refer to at least one object/);
    });

    test('plantimestamp()/timecmp() are known at plan: a failing guard over known values stops the plan even on a fresh install', () => {
      const doc = {
        resource: {
          terraform_data: {
            y: { input: 'known' },
            x: { input: 1, lifecycle: { precondition: [{ condition: '${timecmp(plantimestamp(), "2026-11-02T10:30:00Z") >= 0 && terraform_data.y.input != ""}', error_message: 'too early' }] } },
          },
        },
      };
      expect(plan(EMPTY_STATE, parseConfig(doc), { planTimestamp: '2026-11-02T09:00:00Z' }).errors.join()).toMatch(/too early/);
      expect(plan(EMPTY_STATE, parseConfig(doc), { planTimestamp: '2026-11-02T11:00:00Z' }).errors).toEqual([]);
    });

    test('check blocks only warn', () => {
      const p = plan(EMPTY_STATE, parseConfig({ ...guarded(), check: { c: { assert: [{ condition: '${terraform_data.src.output == "ok"}', error_message: 'nope' }] } } }));
      expect(p.warnings).toContain('Check block assertion known after apply: check.c');
    });

    test('data sources: read at plan unless config unknown, or (with conditions) a dependency has a pending change, or a depends_on has one', () => {
      const ds = (body: Record<string, unknown>): Record<string, unknown> => ({ backend: 'local', ...body });
      const doc = {
        resource: { terraform_data: { src: { input: 'x' } } },
        data: {
          terraform_remote_state: {
            unknown_cfg: ds({ config: { path: '${terraform_data.src.id}' } }),
            plain: ds({ config: { path: 'ref.tfstate' } }),
            cond: ds({ config: { path: 'ref.tfstate' }, lifecycle: { precondition: [{ condition: '${terraform_data.src.input != ""}', error_message: 'x' }] } }),
            dep: ds({ config: { path: 'ref.tfstate' }, depends_on: ['terraform_data.src'] }),
          },
        },
      };
      const p = plan(EMPTY_STATE, parseConfig(doc));
      const at = (n: string): unknown => [p.changes.get(`data.terraform_remote_state.${n}`)!.readAt, p.changes.get(`data.terraform_remote_state.${n}`)!.readReason];
      expect(at('unknown_cfg')).toEqual(['apply', 'config-unknown']);
      expect(at('plain')).toEqual(['plan', undefined]);
      expect(at('cond')).toEqual(['apply', 'dependency-pending']);
      expect(at('dep')).toEqual(['apply', 'dependency-pending']);
      // Nothing pending any more: all are read during the plan.
      const again = plan(apply(p).state, parseConfig(doc));
      expect([...again.changes.values()].filter((c) => c.mode === 'data').map((c) => c.readAt)).toEqual(['plan', 'plan', 'plan', 'plan']);
    });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The real binary

const TF = terraformBinary();
const REASON = TF.path ? '' : `skipping the real-terraform cross-check: ${TF.reason}`;
if (!TF.path) console.warn(REASON);
const realTest = TF.path ? test : test.skip;

describe('cross-check against the real terraform binary (terraform_data translation, offline)', () => {
  test('the cross-check runs, or says why not', () => {
    if (TF.path) expect(TF.version).toBe('1.11.4');
    else expect(REASON).toMatch(/no usable terraform binary on PATH/);
  });

  const check = (p: Plan, real: ReturnType<typeof runReal>): void => {
    // Plan actions.
    for (const [addr, c] of p.changes) {
      const want = c.action === 'replace' ? (c.replaceOrder === 'delete-then-create' ? ['delete', 'create'] : ['create', 'delete']) : [c.action];
      expect([addr, real.actions[addr] ?? ['no-op']]).toEqual([addr, want]);
    }
    // Ordering: the same must-happen-before pairs among operations.
    const ops = p.graph.operations().map((n) => n.id);
    const realPairs: string[] = [];
    for (const b of ops) {
      expect(real.graph.nodes.has(b)).toBe(true);
      const anc = real.graph.ancestors(b);
      for (const a of ops) if (anc.has(a)) realPairs.push(`${a} < ${b}`);
    }
    expect(realPairs.sort()).toEqual(orderingConstraints(p).map(([a, b]) => `${a} < ${b}`).sort());
    // Execution: logged creates/destroys respect every constraint.
    const pos = (id: string): number => real.log.indexOf(id.endsWith(' (destroy)') || id.endsWith(' (destroy deposed)') ? `destroy ${id.replace(/ \(.*\)$/, '')}` : `create ${id}`);
    for (const [a, b] of orderingConstraints(p)) {
      if (pos(a) >= 0 && pos(b) >= 0) expect([a, b, pos(a) < pos(b)]).toEqual([a, b, true]);
    }
  };

  realTest.each([
    ['reference', '3-retire'],
    ['2-switch', '3-retire'],
    ['reference', 'compromise-2-revoke'],
  ])('%s -> %s: same plan, same ordering constraints, execution respects them', (a, b) => {
    const p = plan(stateAfter(phase(a)), parseConfig(phase(b)));
    check(p, runReal(phase(a), phase(b)));
  });

  realTest('prevent_destroy: a forced replacement fails the plan; the same resource removed from configuration is destroyed', () => {
    const doc = (trigger: string | undefined, pd = true): unknown => ({
      resource: { terraform_data: { x: { ...(trigger ? { triggers_replace: trigger } : {}), input: 1, lifecycle: { prevent_destroy: pd } } } },
    });
    const runs = runRaw({}, [{ config: doc('a') }, { config: doc('b') }, { config: {} }]);
    expect(runs[1].planStatus).not.toBe(0);
    expect(runs[1].planOutput).toMatch(/Instance cannot be destroyed/);
    expect(plan(stateAfter(doc('a')), parseConfig(doc('b'))).errors.join()).toMatch(/Instance cannot be destroyed/);
    expect(runs[2].planStatus).toBe(0);
    expect(runs[2].stateList).toEqual([]);
  });

  realTest('conditions and data sources on a fresh install: deferred to apply, failing only their own operation', () => {
    const doc = {
      resource: {
        terraform_data: {
          src: { input: 'not-ok' },
          independent: { input: 'i' },
          guarded: { input: 'g', lifecycle: { precondition: [{ condition: '${terraform_data.src.output == "ok"}', error_message: 'src not ok' }] } },
          stamp: { input: 's', lifecycle: { precondition: [{ condition: '${timecmp(plantimestamp(), "2000-01-01T00:00:00Z") > 0 && terraform_data.independent.input != ""}', error_message: 'clock' }] } },
        },
      },
      data: { terraform_remote_state: { probe: { backend: 'local', config: { path: '${replace(terraform_data.src.id, "/.*/", "ref")}.tfstate' } } } },
      check: { c: { assert: [{ condition: '${terraform_data.src.output == "ok"}', error_message: 'check says not ok' }] } },
    };
    const refState = JSON.stringify({ version: 4, terraform_version: '1.11.4', serial: 1, lineage: '00000000-0000-0000-0000-000000000000', outputs: {}, resources: [] });
    const [run] = runRaw({ 'ref.tfstate': refState }, [{ config: doc }]);
    expect(run.planStatus).toBe(0);
    expect(run.planOutput).toMatch(/Check block assertion known after apply/);
    const rc = (run.plan as { resource_changes: Array<{ address: string; change: { actions: string[] }; action_reason?: string }> }).resource_changes;
    expect(rc.find((c) => c.address === 'data.terraform_remote_state.probe')).toMatchObject({ change: { actions: ['read'] }, action_reason: 'read_because_config_unknown' });
    expect(run.applyStatus).not.toBe(0);
    expect(run.applyOutput).toMatch(/Resource precondition failed/);
    expect(run.applyOutput).toMatch(/Check block assertion failed/);
    expect(run.stateList).toEqual(['data.terraform_remote_state.probe', 'terraform_data.independent', 'terraform_data.src', 'terraform_data.stamp']);
    // The model says the same.
    const m = applyConfig(EMPTY_STATE, doc, { planTimestamp: '2026-11-02T09:00:00Z' });
    expect(m.plan.changes.get('data.terraform_remote_state.probe')).toMatchObject({ readAt: 'apply', readReason: 'config-unknown' });
    expect(Object.keys(m.result.state.resources).sort()).toEqual(run.stateList);
  });
});
