import * as fs from 'fs';
import * as path from 'path';
import { celEnv, parse, plan } from '@bufbuild/cel';
import { Testing as K8sTesting } from 'cdk8s';
import { App as TerraformApp, Testing as TfTesting } from 'cdktf';
import {
  ClusterChart, ClusterChartProps, PkiCluster, PkiClusterProps, PkiHierarchy, PkiHierarchyProps, Tenant, TenantIssuer, TenantProps,
  VaultPkiStack, VaultPkiStackProps, VaultServerCa,
} from '../src';

/** A real PEM CA certificate (public; its key was discarded), see test/fixtures/README.md. */
export const EXAMPLE_CA_PEM = fs.readFileSync(path.join(__dirname, 'fixtures', 'example-ca.pem'), 'utf8');
/** A real PEM server certificate (not a CA). */
export const EXAMPLE_SERVER_PEM = fs.readFileSync(path.join(__dirname, 'fixtures', 'example-server.pem'), 'utf8');
/** A real PEM CA certificate standing in for a cluster's API server CA. */
export const KUBERNETES_CA_PEM = fs.readFileSync(path.join(__dirname, 'fixtures', 'kubernetes-ca.pem'), 'utf8');

/** Both halves side by side, as a user program has them: a Vault stack with one cluster, and that cluster's chart. */
export interface TestScope {
  readonly tf: TerraformApp;
  readonly vault: VaultPkiStack;
  readonly cluster: PkiCluster;
  readonly chart: ClusterChart;
}

export interface ScopeOptions {
  readonly vault?: Partial<VaultPkiStackProps>;
  readonly cluster?: PkiClusterProps;
  readonly chart?: Partial<ClusterChartProps>;
}

export function newScope(options: ScopeOptions = {}): TestScope {
  const k8s = K8sTesting.app();
  const tf = TfTesting.app();
  const vault = new VaultPkiStack(tf, 'vault', { address: 'https://vault.internal:8200', serverCa: VaultServerCa.fromPem(EXAMPLE_CA_PEM), ...options.vault });
  const cluster = new PkiCluster(vault, 'primary', options.cluster);
  const chart = new ClusterChart(k8s, 'pki', { cluster, ruleLabels: { release: 'kube-prometheus-stack' }, ...options.chart });
  return { tf, vault, cluster, chart };
}

/** The reference hierarchy of DESIGN.md, in `scope`'s Vault stack. */
export function newHierarchy(scope: TestScope, props: Partial<PkiHierarchyProps> = {}): PkiHierarchy {
  return new PkiHierarchy(scope.vault, 'pki', {
    root: { commonName: 'acme-root-ca' },
    intermediates: [
      { name: 'services', domains: ['services.internal'] },
      { name: 'ingress', domains: ['ingress.external'] },
      { name: 'mtls', domains: ['mtls.internal'] },
    ],
    ...props,
  });
}

/** The hierarchy of `scope`, created on first use. */
export function hierarchyOf(scope: TestScope): PkiHierarchy {
  return (scope.vault.node.tryFindChild('pki') as PkiHierarchy | undefined) ?? newHierarchy(scope);
}

/** A tenant (Vault half) on the `services` intermediate, placed on `scope`'s cluster. */
export function newTenant(scope: TestScope, props: Partial<TenantProps> = {}, id = 'payments'): TenantIssuer {
  const tenant = new Tenant(scope.vault, id, {
    intermediate: hierarchyOf(scope).intermediate('services'),
    namespace: 'payments',
    domains: ['payments.services.internal'],
    ...props,
  });
  return tenant.placeOn(scope.chart);
}

export interface Outputs {
  /** Every Kubernetes object of the cluster's chart. */
  readonly manifests: any[];
  /** The parsed Terraform JSON of the Vault stack, validated by cdktf. */
  readonly terraform: any;
  /** The parsed Terraform JSON of the cluster's CA publication stack, when a TrustBundle or PkiAlerts created it. */
  readonly publication?: any;
}

/** Synthesizes both outputs (`Testing.synth(stack, true)`: with validations). */
export function synthBoth(scope: TestScope): Outputs {
  return {
    manifests: K8sTesting.synth(scope.chart),
    terraform: JSON.parse(TfTesting.synth(scope.vault, true)),
    publication: scope.cluster.caPublicationStack ? JSON.parse(TfTesting.synth(scope.cluster.caPublicationStack, true)) : undefined,
  };
}

/** Every resource of `type` in the Terraform, by logical id. */
export function resources(terraform: any, type: string): Record<string, any> {
  return terraform.resource?.[type] ?? {};
}

/** The only resource of `type` matching `predicate`. */
export function resource(terraform: any, type: string, predicate: (r: any) => boolean = () => true): any {
  const found = Object.values(resources(terraform, type)).filter(predicate);
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}`);
  return found[0];
}

/** Kubernetes objects of `kind`. */
export function objects(manifests: any[], kind: string, name?: string): any[] {
  return manifests.filter((m) => m.kind === kind && (name === undefined || m.metadata?.name === name));
}

/** Resolves a `${type.id.attr}` Terraform reference to the literal it points to. */
export function resolveRef(terraform: any, value: any): any {
  const m = typeof value === 'string' ? /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)\}$/.exec(value) : null;
  if (!m) return value;
  return resolveRef(terraform, terraform.resource[m[1]][m[2]][m[3]]);
}

/** Runs `fn` and returns the thrown error's message (fails the test when nothing is thrown). */
export function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error, but none was thrown');
}

const CEL = celEnv();
/**
 * Whether an approver-policy CEL validation accepts `value`, evaluated as approver-policy v0.27.0 does: once per
 * requested value, with `self` = the value (and `cr` = the request).
 */
export function celAccepts(rule: string, value: string, cr: { name?: string; namespace?: string; username?: string } = {}): boolean {
  return plan(CEL, parse(rule))({ self: value, cr: { name: cr.name ?? 'cr', namespace: cr.namespace ?? 'ns', username: cr.username ?? '', groups: [] } }) === true;
}
