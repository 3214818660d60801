/**
 * Terraform's apply graph, as hashicorp/terraform v1.11.4 builds it for the nodes the model needs.
 *
 * Followed (paths at tag v1.11.4, commit 35645b8fca68ff7e0b8785a3b563724a529a0caf):
 * - internal/terraform/graph_builder_apply.go — the order of the transformers (Config, Diff, Reference,
 *   AttachDependencies, ForcedCBD, DestroyEdge, CBDEdge, TransitiveReduction);
 * - internal/terraform/transform_diff.go — one creator node per create/update/replace/read change (and per no-op change
 *   that has pre/postconditions), one destroy node per delete/replace (a "destroy deposed" node for create_before_destroy);
 * - internal/terraform/transform_reference.go — creator and expand nodes depend on every node referenceable by the
 *   addresses they reference (destroy nodes are never referenced); AttachDependenciesTransformer records, for each
 *   creator, every resource among its graph ancestors (what lands in the state's `dependencies`);
 * - internal/terraform/transform_destroy_edge.go — DestroyEdgeTransformer.Transform, including the stored-dependency
 *   edges from creators to destroyers, and tryInterProviderDestroyEdge's cycle check across providers;
 * - internal/terraform/transform_destroy_cbd.go — CBDEdgeTransformer reverses every creator→destroyer edge into a
 *   create_before_destroy destroyer;
 * - internal/dag/dag.go, internal/dag/graph.go — Ancestors (walk down the edges), String() format;
 * - internal/dag/walk.go — a node runs after all its dependencies; a node whose dependency failed is skipped
 *   ("upstream dependencies failed") and so are its own dependents; every other node still runs.
 *
 * An edge `from → to` means `from` depends on `to`: `to` happens first (dag.BasicEdge(from, to)).
 */

export type NodeKind = 'expand' | 'creator' | 'destroy' | 'destroy-deposed';

export interface GraphNode {
  /** Terraform's vertex name: `addr`, `addr (expand)`, `addr (destroy)`, `addr (destroy deposed)`. */
  readonly id: string;
  readonly kind: NodeKind;
  /** The resource instance address (`type.name`, `type.name[0]`, `module.m.type.name`). */
  readonly addr: string;
  /** The configuration resource address: instance keys removed (`module.m[0].t.n[1]` → `module.m.t.n`). */
  readonly configAddr: string;
  /** The planned action this node carries out (creators), or `delete`. */
  readonly action: string;
  /** Provider configuration address (for tryInterProviderDestroyEdge). */
  readonly provider: string;
  /** Creators: the change is not a no-op (only those take part in destroy ordering). */
  readonly participates?: boolean;
  /** Destroyers: whether the destroy is create_before_destroy (state flag or deposed). */
  readonly cbd?: boolean;
  /** The dependencies stored in state for this instance (StateDependencies()), when it has a state object. */
  readonly stateDependencies?: readonly string[];
  /** Configuration address references made by this node (config refs + depends_on + conditions). */
  readonly references?: readonly string[];
  /** Dependencies attached by AttachDependenciesTransformer (set while building). */
  attachedDependencies?: string[];
}

/** `module.child[0].test_object.a[1]` → `module.child.test_object.a`. */
export function configAddrOf(instanceAddr: string): string {
  return instanceAddr.replace(/\[[^\]]*\]/g, '');
}

/** The module instance path of an address (`module.child[0]`), '' for the root module. */
function moduleInstanceOf(addr: string): string {
  const parts: string[] = [];
  const re = /^module\.([A-Za-z0-9_-]+(\[[^\]]*\])?)\./;
  let rest = addr;
  let m: RegExpExecArray | null;
  while ((m = re.exec(rest)) !== null) {
    parts.push(`module.${m[1]}`);
    rest = rest.slice(m[0].length);
  }
  return parts.join('.');
}

export class Graph {
  readonly nodes = new Map<string, GraphNode>();
  /** from → set of to (from depends on to). */
  readonly down = new Map<string, Set<string>>();

  add(n: GraphNode): GraphNode {
    if (!this.nodes.has(n.id)) {
      this.nodes.set(n.id, n);
      this.down.set(n.id, new Set());
    }
    return this.nodes.get(n.id)!;
  }

  remove(id: string): void {
    this.nodes.delete(id);
    this.down.delete(id);
    for (const s of this.down.values()) s.delete(id);
  }

  connect(from: string, to: string): void {
    if (from === to) return;
    this.down.get(from)!.add(to);
  }

  removeEdge(from: string, to: string): void {
    this.down.get(from)?.delete(to);
  }

  hasEdge(from: string, to: string): boolean {
    return this.down.get(from)?.has(to) ?? false;
  }

  edgesTo(id: string): string[] {
    return [...this.down.entries()].filter(([, s]) => s.has(id)).map(([f]) => f);
  }

  /** Every vertex reachable by walking down from `id` (its transitive dependencies), as dag.Ancestors. */
  ancestors(id: string): Set<string> {
    const seen = new Set<string>();
    const stack = [...(this.down.get(id) ?? [])];
    while (stack.length) {
      const v = stack.pop()!;
      if (seen.has(v)) continue;
      seen.add(v);
      for (const w of this.down.get(v) ?? []) stack.push(w);
    }
    return seen;
  }

  /** True when `a` happens before `b` in every valid walk (b transitively depends on a). */
  happensBefore(a: string, b: string): boolean {
    return this.ancestors(b).has(a);
  }

  clone(): Graph {
    const g = new Graph();
    for (const n of this.nodes.values()) g.add({ ...n });
    for (const [f, s] of this.down) for (const t of s) g.connect(f, t);
    return g;
  }

  /** dag.Graph.String(): vertices sorted by name, each followed by its sorted dependencies indented by two spaces. */
  toString(): string {
    const names = [...this.nodes.keys()].sort();
    return names.map((n) => [n, ...[...this.down.get(n)!].sort().map((d) => `  ${d}`)].join('\n')).join('\n');
  }

  /** TransitiveReductionTransformer: drop every edge implied by a longer path. */
  transitiveReduction(): this {
    for (const u of this.nodes.keys()) {
      const direct = [...this.down.get(u)!];
      for (const v of direct) {
        if (direct.some((w) => w !== v && this.down.get(u)!.has(w) && (w === v || this.ancestors(w).has(v)))) this.removeEdge(u, v);
      }
    }
    return this;
  }

  /** filterInstances (transform_destroy_cbd_test.go): remove non-instance vertices, connecting around them. */
  filterInstances(): this {
    for (const n of [...this.nodes.values()]) {
      if (n.kind !== 'expand') continue;
      const downs = [...this.down.get(n.id)!];
      const ups = this.edgesTo(n.id);
      for (const u of ups) for (const d of downs) this.connect(u, d);
      this.remove(n.id);
    }
    return this;
  }

  /** The operation vertices (creators and destroyers). */
  operations(): GraphNode[] {
    return [...this.nodes.values()].filter((n) => n.kind !== 'expand');
  }

  /**
   * One valid serialization of the walk: Kahn's algorithm, taking the ready vertex with the smallest name first.
   * Terraform walks in parallel; any topological order is a possible one.
   */
  topologicalOrder(): string[] {
    const remaining = new Map<string, number>();
    const ups = new Map<string, string[]>();
    for (const [f, s] of this.down) {
      remaining.set(f, s.size);
      for (const t of s) ups.set(t, [...(ups.get(t) ?? []), f]);
    }
    const ready = [...remaining.entries()].filter(([, c]) => c === 0).map(([v]) => v).sort();
    const out: string[] = [];
    while (ready.length) {
      const v = ready.shift()!;
      out.push(v);
      for (const u of ups.get(v) ?? []) {
        const c = remaining.get(u)! - 1;
        remaining.set(u, c);
        if (c === 0) {
          ready.push(u);
          ready.sort();
        }
      }
    }
    if (out.length !== this.nodes.size) {
      const stuck = [...remaining.entries()].filter(([, c]) => c > 0).map(([v]) => v).sort();
      throw new Error(`cycle in the apply graph among: ${stuck.join(', ')}`);
    }
    return out;
  }
}

/** graphNodesAreResourceInstancesInDifferentInstancesOfSameModule (transform_reference.go). */
export function inDifferentInstancesOfSameModule(a: GraphNode, b: GraphNode): boolean {
  if (a.kind === 'expand' || b.kind === 'expand') return false;
  const ma = moduleInstanceOf(a.addr);
  const mb = moduleInstanceOf(b.addr);
  return configAddrOf(ma) === configAddrOf(mb) && ma !== mb;
}

/** ReferenceTransformer: each non-destroyer vertex depends on every vertex referenceable by what it references. */
export function referenceTransform(g: Graph): void {
  const byConfig = new Map<string, GraphNode[]>();
  for (const n of g.nodes.values()) {
    if (n.kind === 'expand' || n.kind === 'creator') byConfig.set(n.configAddr, [...(byConfig.get(n.configAddr) ?? []), n]);
  }
  for (const v of g.nodes.values()) {
    if (v.kind === 'destroy' || v.kind === 'destroy-deposed') continue;
    for (const ref of v.references ?? []) {
      for (const parent of byConfig.get(ref) ?? []) {
        if (parent.id === v.id) continue;
        if (!inDifferentInstancesOfSameModule(v, parent)) g.connect(v.id, parent.id);
      }
    }
  }
}

/** AttachDependenciesTransformer: every resource among a creator's ancestors, self excluded, sorted. */
export function attachDependencies(g: Graph): void {
  for (const v of g.nodes.values()) {
    if (v.kind !== 'creator' && v.kind !== 'expand') continue;
    const deps = new Set<string>();
    for (const a of g.ancestors(v.id)) {
      const n = g.nodes.get(a)!;
      if (n.configAddr !== v.configAddr) deps.add(n.configAddr);
    }
    v.attachedDependencies = [...deps].sort();
  }
}

function stateDependencies(n: GraphNode): readonly string[] {
  return n.stateDependencies ?? n.attachedDependencies ?? [];
}

export interface DestroyEdgeOptions {
  /** False for a full `terraform destroy` (no inter-provider cycle check). */
  readonly checkInterProviderCycles?: boolean;
  /** When false (unit tests without Changes), every creator takes part regardless of `participates`. */
  readonly haveChanges?: boolean;
}

/** DestroyEdgeTransformer.Transform (transform_destroy_edge.go). */
export function destroyEdgeTransform(g: Graph, opts: DestroyEdgeOptions = {}): void {
  const destroyers = new Map<string, GraphNode[]>();
  const destroyersByResource = new Map<string, GraphNode[]>();
  const creators = new Map<string, GraphNode[]>();
  const haveChanges = opts.haveChanges ?? true;
  for (const n of g.nodes.values()) {
    if (n.kind === 'destroy' || n.kind === 'destroy-deposed') {
      destroyers.set(n.addr, [...(destroyers.get(n.addr) ?? []), n]);
      destroyersByResource.set(n.configAddr, [...(destroyersByResource.get(n.configAddr) ?? []), n]);
    } else if (n.kind === 'creator') {
      if (!haveChanges || n.participates) creators.set(n.configAddr, [...(creators.get(n.configAddr) ?? []), n]);
    }
  }
  if (destroyers.size === 0) return;

  const tryInterProviderDestroyEdge = (from: GraphNode, to: GraphNode): void => {
    g.connect(from.id, to.id);
    if (opts.checkInterProviderCycles === false) return;
    if (from.provider !== to.provider && g.ancestors(to.id).has(from.id)) g.removeEdge(from.id, to.id);
  };

  // A_d => A: a creator depends on the destroyer of its own address.
  for (const v of g.nodes.values()) {
    if (v.kind !== 'creator') continue;
    for (const d of destroyers.get(v.addr) ?? []) g.connect(v.id, d.id);
  }
  // Creators depend on the destroyers of what they depended on (stored dependencies).
  for (const cs of creators.values()) {
    for (const c of cs) {
      for (const res of stateDependencies(c)) {
        for (const d of destroyersByResource.get(res) ?? []) {
          if (!inDifferentInstancesOfSameModule(c, d)) g.connect(c.id, d.id);
        }
      }
    }
  }
  // Destroy dependencies as stored in the state: the destroyer of a dependency waits for the destroyer of the
  // dependent, and so does the creator (update) of the dependency.
  for (const ds of destroyers.values()) {
    for (const des of ds) {
      for (const res of stateDependencies(des)) {
        for (const depD of destroyersByResource.get(res) ?? []) {
          if (!inDifferentInstancesOfSameModule(depD, des)) tryInterProviderDestroyEdge(depD, des);
        }
        for (const createDep of creators.get(res) ?? []) {
          if (!inDifferentInstancesOfSameModule(createDep, des)) tryInterProviderDestroyEdge(createDep, des);
        }
      }
    }
  }
}

/** CBDEdgeTransformer.Transform (transform_destroy_cbd.go): invert creator→destroyer edges into CBD destroyers. */
export function cbdEdgeTransform(g: Graph): void {
  for (const v of g.nodes.values()) {
    if (v.kind !== 'destroy' && v.kind !== 'destroy-deposed') continue;
    const cbd = v.kind === 'destroy-deposed' ? true : Boolean(v.cbd);
    if (!cbd) continue;
    for (const src of g.edgesTo(v.id)) {
      if (g.nodes.get(src)!.kind === 'creator') {
        g.removeEdge(src, v.id);
        g.connect(v.id, src);
      }
    }
  }
}
