/**
 * ApplyGraphBuilder (internal/terraform/graph_builder_apply.go at v1.11.4) reduced to the steps that order resource
 * operations: ConfigTransformer (one "expand" vertex per configured resource), DiffTransformer (creator/destroyer
 * vertices per planned change, transform_diff.go), ReferenceTransformer, AttachDependenciesTransformer,
 * DestroyEdgeTransformer, CBDEdgeTransformer. Provider, root and close vertices are left out: they add no ordering
 * between resource operations.
 */
import {
  attachDependencies, cbdEdgeTransform, configAddrOf, destroyEdgeTransform, Graph, referenceTransform,
} from './graph';
import type { ResourceChange, TfConfig, TfState } from './model';

export type GraphAction = 'create' | 'update' | 'delete' | 'delete-then-create' | 'create-then-delete' | 'no-op' | 'read';

export interface GenericResource {
  /** Configuration address. */
  readonly addr: string;
  readonly references: readonly string[];
  readonly provider?: string;
  readonly createBeforeDestroy?: boolean;
}

export interface GenericChange {
  /** Instance address. */
  readonly addr: string;
  readonly action: GraphAction;
  readonly hasConditions?: boolean;
}

export interface GenericStateObject {
  readonly dependencies: readonly string[];
  readonly createBeforeDestroy?: boolean;
  readonly provider?: string;
}

export interface GenericGraphInput {
  readonly resources: readonly GenericResource[];
  readonly changes: readonly GenericChange[];
  /** Instance address → stored object. */
  readonly state: Readonly<Record<string, GenericStateObject>>;
  /** Stop after this transformer (as transform_destroy_cbd_test.go's cbdTestSteps stops after CBDEdgeTransformer). */
  readonly reduce?: boolean;
}

export function buildGenericApplyGraph(input: GenericGraphInput): Graph {
  const g = new Graph();
  const cfg = new Map(input.resources.map((r) => [r.addr, r]));
  for (const r of input.resources) {
    g.add({ id: `${r.addr} (expand)`, kind: 'expand', addr: r.addr, configAddr: r.addr, action: 'expand', provider: r.provider ?? 'default', references: r.references });
  }
  for (const c of input.changes) {
    const configAddr = configAddrOf(c.addr);
    const r = cfg.get(configAddr);
    const st = input.state[c.addr];
    const provider = r?.provider ?? st?.provider ?? 'default';
    const update = c.action === 'no-op' ? Boolean(c.hasConditions) : c.action !== 'delete';
    const del = c.action === 'delete' || c.action === 'delete-then-create' || c.action === 'create-then-delete';
    if (update) {
      g.add({
        id: c.addr,
        kind: 'creator',
        addr: c.addr,
        configAddr,
        action: c.action,
        provider,
        participates: c.action !== 'no-op',
        references: r?.references ?? [],
        stateDependencies: st?.dependencies,
      });
      if (g.nodes.has(`${configAddr} (expand)`)) g.connect(c.addr, `${configAddr} (expand)`);
    }
    if (del) {
      const deposed = c.action === 'create-then-delete';
      g.add({
        id: deposed ? `${c.addr} (destroy deposed)` : `${c.addr} (destroy)`,
        kind: deposed ? 'destroy-deposed' : 'destroy',
        addr: c.addr,
        configAddr,
        action: 'delete',
        provider,
        cbd: deposed || (st ? Boolean(st.createBeforeDestroy) : Boolean(r?.createBeforeDestroy)),
        stateDependencies: st?.dependencies ?? [],
      });
    }
  }
  referenceTransform(g);
  attachDependencies(g);
  destroyEdgeTransform(g);
  cbdEdgeTransform(g);
  if (input.reduce) g.transitiveReduction();
  return g;
}

export interface ApplyGraphInput {
  readonly config: TfConfig;
  readonly changes: ReadonlyMap<string, ResourceChange>;
  /** The refreshed state the plan recorded. */
  readonly state: TfState;
}

export function buildApplyGraph(input: ApplyGraphInput): Graph {
  const resources: GenericResource[] = [...input.config.resources.values()].map((r) => ({
    addr: r.addr, references: r.references, provider: r.provider, createBeforeDestroy: r.createBeforeDestroy,
  }));
  // A data source read during the plan has no planned change and so no vertex (transform_diff.go).
  const changes: GenericChange[] = [...input.changes.values()].filter((c) => !(c.mode === 'data' && c.action === 'no-op')).map((c) => ({
    addr: c.addr,
    action: c.action === 'replace' ? c.replaceOrder! : c.action === 'read' ? 'read' : c.action,
    hasConditions: c.hasConditions,
  }));
  const state: Record<string, GenericStateObject> = {};
  for (const [a, o] of Object.entries(input.state.resources)) {
    if (o.mode === 'managed') state[a] = { dependencies: o.dependencies, createBeforeDestroy: o.createBeforeDestroy, provider: o.provider };
  }
  return buildGenericApplyGraph({ resources, changes, state, reduce: true });
}
