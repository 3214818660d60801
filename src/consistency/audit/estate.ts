import { certificateFromIngress } from './ingress-shim';
import { describeObject, objectKey, OutputIndex, TerraformResource } from '../output-index';

/** A Kubernetes object of the estate and where it was read. @internal */
export interface EstateObject {
  readonly object: any;
  readonly file: string;
  readonly line?: number;
  /**
   * The object this one is derived from: a Certificate cert-manager's ingress-shim would create from an annotated
   * Ingress is reported on the Ingress.
   */
  readonly origin?: EstateObject;
}

/** A Terraform resource (or a Vault object read with the CLI) and where it was read. @internal */
export interface EstateResource {
  readonly type: string;
  /** Its address: `<type>.<name>` in a cdk.tf.json, the address in `terraform show -json`, the Vault path for the CLI. */
  readonly name: string;
  /** Its attributes, references resolved where they point at literals of the same stack. */
  readonly body: any;
  readonly file: string;
  readonly line?: number;
  /** Which stack of the estate it belongs to. */
  readonly stack: number;
}

/** One Terraform configuration or state read from a file, as a cdk.tf.json-shaped stack. @internal */
export interface EstateStack {
  /** `{ resource: { <type>: { <name>: <attributes> } }, provider?: ... }`. */
  readonly json: any;
  readonly file: string;
  /** Line of each resource in the file, by `<type>\u0000<name>`, when known. */
  readonly lines: Map<string, number>;
  /** What the file was: a cdk.tf.json, `terraform show -json` of a state or a plan, or Vault CLI output. */
  readonly source: 'cdk.tf.json' | 'terraform show -json (state)' | 'terraform show -json (plan)' | 'vault read';
}

/** What the estate reader found, before indexing. @internal */
export interface EstateInput {
  readonly objects: EstateObject[];
  readonly stacks: EstateStack[];
  /** Files read that held nothing the audit reads (Helm values, kustomization.yaml, inventories). */
  readonly ignored: string[];
}

const API_GROUP = (apiVersion: unknown) => (String(apiVersion ?? '').includes('/') ? String(apiVersion).split('/')[0] : '');

/**
 * Everything the audit reads, indexed once: the Kubernetes objects (one per identity: a later file's copy of an object
 * replaces an earlier one, so a live dump followed by the planned manifests audits the planned state) and the
 * Terraform stacks; plus the derived objects only an estate has (the Certificates ingress-shim creates from annotated
 * Ingresses). ConsistencyCheck's OutputIndex is built over the same objects, so shared rules read the same estate.
 * @internal
 */
export class Estate {
  public readonly objects: EstateObject[];
  public readonly stacks: EstateStack[];
  public readonly resources: EstateResource[];
  /** ConsistencyCheck's index over the same objects and stacks. */
  public readonly index: OutputIndex;
  /** The Certificates ingress-shim would create, reported on their Ingress (those not already in the estate). */
  public readonly shimCertificates: EstateObject[];
  public readonly ignored: string[];
  /** The time certificates' expiry is judged at. */
  public readonly now: Date;
  private readonly byKey = new Map<string, EstateObject>();
  private readonly byKind = new Map<string, EstateObject[]>();
  private readonly byDescription = new Map<string, EstateObject>();

  constructor(input: EstateInput, options: { now?: Date; certManagerServiceAccount?: string; csiDriverServiceAccount?: string } = {}) {
    this.now = options.now ?? new Date();
    for (const o of input.objects) {
      if (!o.object || typeof o.object !== 'object' || typeof o.object.kind !== 'string') continue;
      this.byKey.set(objectKey(o.object), o);
    }
    this.objects = [...this.byKey.values()];
    for (const o of this.objects) {
      const key = `${API_GROUP(o.object.apiVersion)}/${o.object.kind}`;
      this.byKind.set(key, [...(this.byKind.get(key) ?? []), o]);
      this.byDescription.set(describeObject(o.object), o);
    }
    this.stacks = input.stacks;
    this.ignored = input.ignored;
    this.index = new OutputIndex(this.objects.map((o) => o.object), this.stacks.map((s) => s.json), undefined,
      options.csiDriverServiceAccount, options.certManagerServiceAccount);
    this.resources = this.stacks.flatMap((stack, i) => Object.entries<Record<string, any>>(stack.json.resource ?? {})
      .flatMap(([type, instances]) => Object.entries<any>(instances).map(([name, body]) => ({
        type, name, body: this.resolved(i, body), file: stack.file, line: stack.lines.get(`${type}\u0000${name}`), stack: i,
      }))));
    const existing = new Set(this.kind('cert-manager.io', 'Certificate').map((c) => `${c.object.metadata?.namespace}/${c.object.metadata?.name}`));
    this.shimCertificates = this.kind('networking.k8s.io', 'Ingress').flatMap((ingress) => certificateFromIngress(ingress.object)
      .filter((c) => !existing.has(`${c.metadata.namespace}/${c.metadata.name}`))
      .map((c) => ({ object: c, file: ingress.file, line: ingress.line, origin: ingress })));
  }

  /** Whether any Terraform (or Vault CLI output) was given: the rules that compare with Vault need it. */
  public get hasTerraform(): boolean {
    return this.stacks.length > 0;
  }

  /** Every object of `kind` in API group `group` (`''` for the core group), any version. */
  public kind(group: string, kind: string): EstateObject[] {
    return this.byKind.get(`${group}/${kind}`) ?? [];
  }

  /** The object of `kind` (group `group`) named `name` in `namespace` (undefined: cluster-scoped). */
  public find(group: string, kind: string, namespace: string | undefined, name: string): EstateObject | undefined {
    return this.objects.find((o) => API_GROUP(o.object.apiVersion) === group && o.object.kind === kind
      && (o.object.metadata?.namespace ?? undefined) === namespace && o.object.metadata?.name === name);
  }

  /** The object a ConsistencyCheck finding names (`Kind namespace/name` or `Kind name`). */
  public described(description: string): EstateObject | undefined {
    return this.byDescription.get(description);
  }

  /** The Certificates of the estate and those ingress-shim would create. */
  public certificates(): EstateObject[] {
    return [...this.kind('cert-manager.io', 'Certificate'), ...this.shimCertificates];
  }

  /** The Issuer or ClusterIssuer a Certificate, CertificateRequest or Ingress names in `namespace`, when in the estate. */
  public issuerOf(namespace: string, ref: any): EstateObject | undefined {
    if ((ref?.group ?? 'cert-manager.io') !== 'cert-manager.io' && ref?.group !== '') return undefined;
    const kind = ref?.kind || 'Issuer';
    if (kind === 'ClusterIssuer') return this.find('cert-manager.io', 'ClusterIssuer', undefined, ref?.name);
    return this.find('cert-manager.io', 'Issuer', namespace, ref?.name);
  }

  /** Every Terraform resource of `type`. */
  public resourcesOf(type: string): EstateResource[] {
    return this.resources.filter((r) => r.type === type);
  }

  /** The estate resource an OutputIndex resource is. */
  public resourceOf(r: TerraformResource): EstateResource | undefined {
    return this.resources.find((x) => x.stack === r.stack && x.type === r.type && x.name === r.id);
  }

  /** Every Namespace name the estate knows of (Namespace objects and namespaces of objects), sorted. */
  public namespaces(): string[] {
    const names = new Set<string>();
    for (const o of this.objects) {
      if (o.object.kind === 'Namespace' && API_GROUP(o.object.apiVersion) === '') names.add(o.object.metadata?.name);
      else if (o.object.metadata?.namespace) names.add(o.object.metadata.namespace);
    }
    return [...names].filter(Boolean).sort();
  }

  /** `body` with every `${type.name.attr}` reference to a literal of the same stack replaced by the literal. */
  private resolved(stack: number, body: any): any {
    if (typeof body === 'string') return this.index.resolve(stack, body);
    if (Array.isArray(body)) return body.map((v) => this.resolved(stack, v));
    if (body && typeof body === 'object') return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, this.resolved(stack, v)]));
    return body;
  }
}
