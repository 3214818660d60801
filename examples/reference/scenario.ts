// The reference scenario of DESIGN.md, as a user writes it. In your own code, import from
// 'cdk8s-vault-pki' instead of '../../src'.
import * as fs from 'fs';
import * as path from 'path';
import { Construct } from 'constructs';
import {
  CaGenerationOptions, ClusterChart, PkiAlerts, PkiCluster, PkiHierarchy, ShortLivedCertificate, Tenant, TrustBundle, VaultPkiStack,
  VaultServerCa,
} from '../../src';

/** The teams of the reference scenario, each a namespace with its own issuer and a 24h mTLS certificate. */
export const TEAMS = ['payments', 'auth', 'api'];

/** The generations of the reference scenario's CAs, for a rotation (examples/rotation): all ACTIVE generation 1 when not given. */
export interface CaGenerations {
  /** The root's generations. */
  readonly root?: CaGenerationOptions[];
  /** Each intermediate's generations, by name. */
  readonly intermediates?: { [name: string]: CaGenerationOptions[] };
}

/**
 * Builds the reference scenario: root `acme-root-ca`, intermediates `services`, `ingress`, `mtls`,
 * tenants payments, auth and api on `services`, each with a 24h mTLS certificate; one trust bundle for
 * namespaces labelled `inject-ca=true`; alerts for all of it. One Vault stack, one cluster (`primary`).
 * @param k8s the cdk8s App (manifests go to dist/)
 * @param tf the cdktf App (Terraform goes to cdktf.out/stacks/vault/)
 * @param generations the CAs' generations (a phase of a rotation); nothing else changes through a rotation
 */
export function buildReferenceScenario(k8s: Construct, tf: Construct, generations: CaGenerations = {}) {
  // The Vault half. vault.internal has a certificate from the company's internal CA: cert-manager must trust exactly that CA.
  const vault = new VaultPkiStack(tf, 'vault', {
    address: 'https://vault.internal:8200',
    serverCa: VaultServerCa.fromPem(fs.readFileSync(path.join(__dirname, 'vault-server-ca.pem'), 'utf8')),
  });
  const of = (name: string) => generations.intermediates?.[name];
  const pki = new PkiHierarchy(vault, 'pki', {
    root: { commonName: 'acme-root-ca', generations: generations.root },
    intermediates: [
      { name: 'services', domains: ['services.internal'], generations: of('services') },
      { name: 'ingress', domains: ['ingress.external'], generations: of('ingress') },
      { name: 'mtls', domains: ['mtls.internal'], generations: of('mtls') },
    ],
  });
  // The cluster's Kubernetes auth method in Vault (Vault runs inside this cluster).
  const cluster = new PkiCluster(vault, 'primary');

  // The cluster half: everything the library emits into the cluster, PrometheusRules labelled for kube-prometheus-stack.
  const chart = new ClusterChart(k8s, 'pki', { cluster, ruleLabels: { release: 'kube-prometheus-stack' } });

  const tenants = TEAMS.map((team) => {
    const tenant = new Tenant(vault, team, {
      intermediate: pki.intermediate('services'),
      namespace: team,
      domains: [`${team}.services.internal`],
    });
    const issuer = tenant.placeOn(chart);
    const certificate = new ShortLivedCertificate(chart, `${team}-mtls`, {
      issuer,
      dnsNames: [`mtls.${team}.services.internal`],
    });
    return { tenant, issuer, certificate };
  });

  const bundle = new TrustBundle(chart, 'internal-ca', {
    hierarchy: pki,
    namespaceLabels: { 'inject-ca': 'true' },
  });

  const alerts = new PkiAlerts(chart, 'alerts', { hierarchy: pki });

  return { vault, chart, pki, cluster, tenants, bundle, alerts };
}
