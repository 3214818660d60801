import type { FleetIndex } from './fleet-index';
import { Durations } from '../core/durations';

/** One Terraform resource of a synthesized stack. @internal */
export interface TerraformResource {
  /** Which of the given stacks it belongs to (references resolve within it). */
  readonly stack: number;
  readonly type: string;
  readonly id: string;
  readonly body: any;
}

/** A Kubernetes object's identity for duplicate detection: group, kind, namespace, name. @internal */
export function objectKey(m: any): string {
  const group = String(m.apiVersion ?? '').includes('/') ? String(m.apiVersion).split('/')[0] : '';
  return `${group}/${m.kind}/${m.metadata?.namespace ?? ''}/${m.metadata?.name ?? ''}`;
}

/** `Kind namespace/name` (or `Kind name` for cluster-scoped objects), how findings name an object. @internal */
export function describeObject(m: any): string {
  const ns = m.metadata?.namespace;
  return `${m.kind} ${ns !== undefined ? `${ns}/` : ''}${m.metadata?.name ?? '<unnamed>'}`;
}

/**
 * The synthesized Terraform stacks, indexed once: resources by type, and lookups by key built on first use. A fleet check
 * builds one and shares it between its per-cluster indexes, so the Terraform is indexed once, not once per cluster.
 * @internal
 */
export class TerraformIndex {
  private readonly resourcesByType = new Map<string, TerraformResource[]>();
  private readonly lookups = new Map<string, Map<string, TerraformResource>>();
  private readonly stacks: any[];

  constructor(stacks: any[]) {
    this.stacks = stacks.filter((s) => s && typeof s === 'object');
    this.stacks.forEach((stack, i) => {
      for (const [type, instances] of Object.entries((stack.resource ?? {}) as Record<string, Record<string, any>>)) {
        const list = this.resourcesByType.get(type) ?? [];
        for (const [id, body] of Object.entries(instances)) list.push({ stack: i, type, id, body });
        this.resourcesByType.set(type, list);
      }
    });
  }

  /** Every Terraform resource of `type`, across the stacks. */
  public resources(type: string): TerraformResource[] {
    return this.resourcesByType.get(type) ?? [];
  }

  /** The resource of `type` whose `key(resource)` equals `value` (see OutputIndex.lookup). */
  public lookup(type: string, keyName: string, key: (r: TerraformResource) => unknown, value: string): TerraformResource | undefined {
    const id = `${type}\u0000${keyName}`;
    let index = this.lookups.get(id);
    if (!index) {
      index = new Map();
      for (const r of this.resources(type)) {
        const k = key(r);
        if (typeof k === 'string' && !index.has(k)) index.set(k, r);
      }
      this.lookups.set(id, index);
    }
    return index.get(value);
  }

  /** How many stacks were given. */
  public get stackCount(): number {
    return this.stacks.length;
  }

  /** A stack's parsed JSON. */
  public stack(i: number): any {
    return this.stacks[i];
  }
}

/**
 * Both synthesized outputs, indexed once so that every rule is a constant-time lookup per object: the check stays
 * linear in the size of the outputs (tens of thousands of objects in seconds).
 * @internal
 */
export class OutputIndex {
  public readonly manifests: any[];
  private readonly byKind = new Map<string, any[]>();
  private readonly byName = new Map<string, any>();
  private readonly terraform: TerraformIndex;
  private selecting?: Map<string, any[]>;
  /** RoleBindings by namespace, and their position among the manifests' RoleBindings (built on first use). */
  private roleBindings?: Map<string, any[]>;
  private roleBindingOrder = new Map<any, number>();
  /** roleOfIssuer's answers, by Issuer object. */
  private readonly issuerRoles = new WeakMap<object, TerraformResource | undefined>();
  /** policiesUsableBy's answers, by requester, namespace and Issuer. */
  private readonly usable = new Map<string, any[]>();

  /** The cluster the manifests belong to, when known (a GitOps tree's cluster folder). */
  public readonly cluster?: string;
  /** csi-driver's service account: `<namespace>/<name>`. */
  public readonly csiDriverServiceAccount: string;

  /** cert-manager's service account (what Certificates' requests are made with): `<namespace>/<name>`. */
  public readonly certManagerServiceAccount: string;

  /** Whether the manifests are GitOps trees' cluster folders (set by `checkFleet`): they must sync on an empty cluster. */
  public gitops = false;

  /** Every program's GitOps trees and the fleet contract (set by `checkFleet` for its fleet-wide pass). */
  public fleet?: FleetIndex;

  /**
   * @param stacks the parsed stacks, or a TerraformIndex of them (shared between the clusters of a fleet check)
   */
  constructor(manifests: any[], stacks: any[] | TerraformIndex, cluster?: string, csiDriverServiceAccount = 'cert-manager/cert-manager-csi-driver',
    certManagerServiceAccount = 'cert-manager/cert-manager') {
    this.cluster = cluster;
    this.csiDriverServiceAccount = csiDriverServiceAccount;
    this.certManagerServiceAccount = certManagerServiceAccount;
    this.manifests = manifests.filter((m) => m && typeof m === 'object' && !Array.isArray(m));
    this.terraform = stacks instanceof TerraformIndex ? stacks : new TerraformIndex(stacks);
    for (const m of this.manifests) {
      const kindKey = `${m.apiVersion}/${m.kind}`;
      const list = this.byKind.get(kindKey);
      if (list) list.push(m);
      else this.byKind.set(kindKey, [m]);
      const key = `${kindKey}/${m.metadata?.namespace ?? ''}/${m.metadata?.name ?? ''}`;
      if (!this.byName.has(key)) this.byName.set(key, m);
    }
  }

  /** Every object of `kind` in `apiVersion`. */
  public objects(apiVersion: string, kind: string): any[] {
    return this.byKind.get(`${apiVersion}/${kind}`) ?? [];
  }

  /** The object of `kind` named `name` in `namespace` (undefined for cluster-scoped objects). */
  public object(apiVersion: string, kind: string, namespace: string | undefined, name: string): any {
    return this.byName.get(`${apiVersion}/${kind}/${namespace ?? ''}/${name}`);
  }

  /** Every Terraform resource of `type`, across the stacks. */
  public resources(type: string): TerraformResource[] {
    return this.terraform.resources(type);
  }

  /**
   * The resource of `type` whose `key(resource)` equals `value`; the index for each (type, key) pair is built on first use.
   * @param keyName names the key function, so its index is built once
   */
  public lookup(type: string, keyName: string, key: (r: TerraformResource) => unknown, value: string): TerraformResource | undefined {
    // The key functions read the Terraform only, so the lookups are shared with every index over the same stacks.
    return this.terraform.lookup(type, keyName, key, value);
  }

  /** The Vault provider block of a stack (the first `provider.vault`). */
  public vaultProvider(stack: number): any {
    const provider = this.terraform.stack(stack)?.provider?.vault;
    return (Array.isArray(provider) ? provider[0] : provider) ?? {};
  }

  /** Resolves a `${type.id.attr}` reference inside `stack` to the literal it points to. */
  public resolve(stack: number, value: unknown): unknown {
    const match = typeof value === 'string' ? /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}$/.exec(value) : null;
    if (!match) return value;
    const [, type, id, attr] = match;
    const target = this.terraform.stack(stack)?.resource?.[type]?.[id];
    return target === undefined ? value : this.resolve(stack, target[attr]);
  }

  /** The resource a `${type.id.attr}` reference inside `stack` points to, with the attribute, or undefined. */
  public referenced(stack: number, value: unknown): { resource: TerraformResource; attribute: string } | undefined {
    const match = typeof value === 'string' ? /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}$/.exec(value) : null;
    if (!match) return undefined;
    const [, type, id, attribute] = match;
    const body = this.terraform.stack(stack)?.resource?.[type]?.[id];
    return body === undefined ? undefined : { resource: { stack, type, id, body }, attribute };
  }

  /** A PKI mount by path. */
  public pkiMount(path: string): TerraformResource | undefined {
    return this.lookup('vault_mount', 'pki-path', (r) => (r.body.type === 'pki' ? this.resolve(r.stack, r.body.path) : undefined), path);
  }

  /** A PKI role by mount path and name. */
  public pkiRole(mount: string, name: string): TerraformResource | undefined {
    return this.lookup('vault_pki_secret_backend_role', 'mount+name',
      (r) => `${this.resolve(r.stack, r.body.backend)}\u0000${this.resolve(r.stack, r.body.name)}`, `${mount}\u0000${name}`);
  }

  /** A Kubernetes auth method by path. */
  public kubernetesAuthBackend(path: string): TerraformResource | undefined {
    return this.lookup('vault_auth_backend', 'kubernetes-path',
      (r) => (r.body.type === 'kubernetes' ? this.resolve(r.stack, r.body.path ?? r.body.type) : undefined), path);
  }

  /** A Kubernetes auth role by backend path and role name. */
  public kubernetesAuthRole(backend: string, role: string): TerraformResource | undefined {
    return this.lookup('vault_kubernetes_auth_backend_role', 'backend+role',
      (r) => `${this.resolve(r.stack, r.body.backend ?? 'kubernetes')}\u0000${this.resolve(r.stack, r.body.role_name)}`, `${backend}\u0000${role}`);
  }

  /** A Vault policy by name. */
  public policy(name: string): TerraformResource | undefined {
    return this.lookup('vault_policy', 'name', (r) => this.resolve(r.stack, r.body.name), name);
  }

  /**
   * The approver-policy CertificateRequestPolicies selecting the namespaced Issuer `name` in `namespace`: a nil
   * issuerRef name or namespace selector matches every issuer or namespace, and `*` in a name matches any run of
   * characters (approver-policy v0.27.0 `predicate.go` SelectorIssuerRef/SelectorNamespace, `util/wildcard.go`).
   */
  public policiesSelecting(namespace: string, name: string): any[] {
    if (!this.selecting) {
      this.selecting = new Map();
      for (const p of this.objects('policy.cert-manager.io/v1alpha1', 'CertificateRequestPolicy')) {
        const ref = p.spec?.selector?.issuerRef ?? {};
        if (!wildcardMatch(ref.kind ?? '*', 'Issuer') || !wildcardMatch(ref.group ?? '*', 'cert-manager.io')) continue;
        // No namespace selector: the policy applies in every namespace (approver-policy v0.27.0 selector semantics).
        const names: string[] = p.spec?.selector?.namespace ? p.spec.selector.namespace.matchNames ?? [] : ['*'];
        for (const ns of names) {
          const key = ns.includes('*') || ref.name === undefined || String(ref.name).includes('*') ? '\u0001' : `${ns}\u0000${ref.name}`;
          this.selecting.set(key, [...(this.selecting.get(key) ?? []), { policy: p, ns, name: ref.name ?? '*' }]);
        }
      }
    }
    const wild = (this.selecting.get('\u0001') ?? []).filter((w: any) => wildcardMatch(w.ns, namespace) && wildcardMatch(w.name, name));
    return [...new Set([...this.selecting.get(`${namespace}\u0000${name}`) ?? [], ...wild].map((w: any) => w.policy))];
  }

  /**
   * Whether service account `namespace/name` may do `verb` on `resource` (named `resourceName`) in `inNamespace`,
   * through a RoleBinding of that namespace to a Role in the manifests.
   */
  public mayDo(serviceAccount: { namespace: string; name: string }, inNamespace: string, group: string, resource: string, verb: string,
    resourceName?: string): boolean {
    return this.roleBindingsIn(inNamespace)
      .filter((b) => b.metadata?.namespace === inNamespace && b.roleRef?.kind === 'Role'
        && (b.subjects ?? []).some((s: any) => s.kind === 'ServiceAccount' && s.name === serviceAccount.name
          && (s.namespace ?? inNamespace) === serviceAccount.namespace))
      .map((b) => this.object('rbac.authorization.k8s.io/v1', 'Role', inNamespace, b.roleRef.name))
      .some((role) => (role?.rules ?? []).some((r: any) => (r.apiGroups ?? []).includes(group) && (r.resources ?? []).includes(resource)
        && ((r.verbs ?? []).includes(verb) || (r.verbs ?? []).includes('*'))
        && (!r.resourceNames || r.resourceNames.length === 0 || (resourceName !== undefined && r.resourceNames.includes(resourceName)))));
  }

  /**
   * The policies selecting the Issuer `name` in `namespace` that the service account `requester` (`<namespace>/<name>`)
   * may `use` there: those approver-policy judges its requests by.
   */
  public policiesUsableBy(requester: string, namespace: string, name: string): any[] {
    // Every Certificate of an Issuer asks the same (several rules, several certificates): computed once per Issuer.
    const key = `${requester}\u0000${namespace}\u0000${name}`;
    let usable = this.usable.get(key);
    if (!usable) {
      const [saNamespace, saName] = requester.split('/');
      usable = this.policiesSelecting(namespace, name).filter((p) =>
        this.mayDo({ namespace: saNamespace, name: saName }, namespace, 'policy.cert-manager.io', 'certificaterequestpolicies', 'use', p.metadata?.name));
      this.usable.set(key, usable);
    }
    return [...usable];
  }

  /**
   * Every subject (`ServiceAccount ns/name`, `User name`, `Group name`) a RoleBinding in one of `namespaces`, or a
   * ClusterRoleBinding, grants `use` of the CertificateRequestPolicy `policyName` (approver-policy checks `use` in the
   * request's namespace).
   */
  public policyUsers(policyName: string, namespaces: string[]): string[] {
    const grants = (role: any) => (role?.rules ?? []).some((r: any) => (r.apiGroups ?? []).some((g: string) => g === 'policy.cert-manager.io' || g === '*')
      && (r.resources ?? []).some((x: string) => x === 'certificaterequestpolicies' || x === '*')
      && (r.verbs ?? []).some((v: string) => v === 'use' || v === '*')
      && (!r.resourceNames || r.resourceNames.length === 0 || r.resourceNames.includes(policyName)));
    const roleOf = (binding: any) => (binding.roleRef?.kind === 'ClusterRole'
      ? this.object('rbac.authorization.k8s.io/v1', 'ClusterRole', undefined, binding.roleRef.name)
      : this.object('rbac.authorization.k8s.io/v1', 'Role', binding.metadata?.namespace, binding.roleRef?.name));
    // The RoleBindings of those namespaces, in the order of the manifests.
    const bindings = [
      ...[...new Set(namespaces)].flatMap((ns) => this.roleBindingsIn(ns))
        .sort((a, b) => this.roleBindingOrder.get(a)! - this.roleBindingOrder.get(b)!),
      ...this.objects('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'),
    ];
    const users = bindings.filter((b) => grants(roleOf(b))).flatMap((b) => (b.subjects ?? []).map((sub: any) =>
      (sub.kind === 'ServiceAccount' ? `ServiceAccount ${sub.namespace ?? b.metadata?.namespace}/${sub.name}` : `${sub.kind} ${sub.name}`)));
    return [...new Set(users)].sort();
  }

  /** The RoleBindings of `namespace` (in the order of the manifests), from an index built on first use. */
  private roleBindingsIn(namespace: string): any[] {
    if (!this.roleBindings) {
      this.roleBindings = new Map();
      for (const b of this.objects('rbac.authorization.k8s.io/v1', 'RoleBinding')) {
        this.roleBindingOrder.set(b, this.roleBindingOrder.size);
        const ns = b.metadata?.namespace;
        const list = this.roleBindings.get(ns);
        if (list) list.push(b);
        else this.roleBindings.set(ns, [b]);
      }
    }
    return this.roleBindings.get(namespace) ?? [];
  }

  /** Every workload object with a pod template (Deployment, StatefulSet, DaemonSet, Job, CronJob, Pod), with its pod spec. */
  public workloads(): { object: any; namespace: string; pod: any }[] {
    const kinds: [string, string, (o: any) => any][] = [
      ['apps/v1', 'Deployment', (o) => o.spec?.template?.spec], ['apps/v1', 'StatefulSet', (o) => o.spec?.template?.spec],
      ['apps/v1', 'DaemonSet', (o) => o.spec?.template?.spec], ['batch/v1', 'Job', (o) => o.spec?.template?.spec],
      ['batch/v1', 'CronJob', (o) => o.spec?.jobTemplate?.spec?.template?.spec], ['v1', 'Pod', (o) => o.spec],
    ];
    return kinds.flatMap(([apiVersion, kind, podOf]) => this.objects(apiVersion, kind)
      .map((object) => ({ object, namespace: object.metadata?.namespace ?? 'default', pod: podOf(object) ?? {} })));
  }

  /** The Vault role behind a cert-manager Issuer (from its `<mount>/sign/<role>` path), if it resolves. */
  public roleOfIssuer(issuer: any): TerraformResource | undefined {
    // Many rules ask it of every Issuer (and of each of its Certificates): answered once per Issuer object.
    if (issuer !== null && typeof issuer === 'object' && this.issuerRoles.has(issuer)) return this.issuerRoles.get(issuer);
    const match = /^(.+)\/sign\/([^/]+)$/.exec(issuer?.spec?.vault?.path ?? '');
    const role = match ? this.pkiRole(match[1], match[2]) : undefined;
    if (issuer !== null && typeof issuer === 'object') this.issuerRoles.set(issuer, role);
    return role;
  }

  /** How many Terraform stacks were given. */
  public get stackCount(): number {
    return this.terraform.stackCount;
  }

  /** A stack's parsed JSON. */
  public stack(i: number): any {
    return this.terraform.stack(i);
  }

  /** A stack's name (cdktf's `//.metadata.stackName`), or `stack #<i>`. */
  public stackName(i: number): string {
    const name = this.terraform.stack(i)?.['//']?.metadata?.stackName;
    return typeof name === 'string' ? name : `stack #${i + 1}`;
  }

  /** The `(address, namespace)` of the Vault a stack's provider configures, as one comparable string. */
  public vaultOf(stack: number): string {
    const p = this.vaultProvider(stack);
    return `${String(p.address ?? '').replace(/\/+$/, '')}${p.namespace ? ` (namespace ${p.namespace})` : ''}`;
  }

}

/** Seconds of a Go duration (`24h`, `1h30m`, `90s`, `1.5h`), or undefined when it is not one. @internal */
export function goDurationSeconds(text: unknown): number | undefined {
  if (typeof text !== 'string' || !/^((\d+(\.\d+)?)(h|m|s|ms))+$/.test(text)) return undefined;
  const unit: Record<string, number> = { h: Durations.HOUR, m: 60, s: 1, ms: 0.001 };
  let total = 0;
  for (const [, n, , u] of text.matchAll(/(\d+(\.\d+)?)(ms|h|m|s)/g)) total += Number(n) * unit[u];
  return total;
}

/** approver-policy's `*` wildcard (`pkg/internal/util/wildcard.go`): `*` matches any run of characters, dots included. */
function wildcardMatch(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  return new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's').test(value);
}
