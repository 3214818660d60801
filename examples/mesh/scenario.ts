// Maturity level 3 on the reference PKI: keys that never touch the disk, SPIFFE identities per pod, and an Istio mesh
// whose CA is Vault. In your own code, import from 'cdk8s-vault-pki' instead of '../../src'.
import * as fs from 'fs';
import * as path from 'path';
import { Duration } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  ClusterChart, InMemoryCertificate, IstioCsr, KeyAlgorithm, PkiAlerts, PkiCluster, PkiHierarchy, SpiffeCsiDriver, SpiffeIdentity, Tenant,
  TrustBundle, VaultPkiStack, VaultServerCa,
} from '../../src';

/** The mesh's SPIFFE trust domain: csi-driver-spiffe SVIDs and Istio workloads share it (and the trust bundle's roots). */
export const TRUST_DOMAIN = 'acme.internal';

/**
 * One Vault stack and one cluster (`primary`):
 * - tenant `payments` (intermediate `services`): its `api` Deployment gets a TLS certificate whose key csi-driver keeps
 *   in memory, and the SPIFFE SVID of its service account from csi-driver-spiffe;
 * - tenant `mesh` (intermediate `mesh`, Istio's namespace): istio-csr signs every mesh workload's certificate with it.
 */
export function buildMeshScenario(k8s: Construct, tf: Construct) {
  const vault = new VaultPkiStack(tf, 'vault', {
    address: 'https://vault.internal:8200',
    serverCa: VaultServerCa.fromPem(fs.readFileSync(path.join(__dirname, '..', 'reference', 'vault-server-ca.pem'), 'utf8')),
  });
  const pki = new PkiHierarchy(vault, 'pki', {
    root: { commonName: 'acme-root-ca' },
    intermediates: [
      { name: 'services', domains: ['services.internal'] },
      // The mesh's own intermediate: istiod's and istio-csr's service names; workloads carry SPIFFE IDs only.
      { name: 'mesh', domains: ['istio-system.svc', 'cert-manager.svc'] },
    ],
  });
  const cluster = new PkiCluster(vault, 'primary');
  const chart = new ClusterChart(k8s, 'mesh', { cluster, ruleLabels: { release: 'kube-prometheus-stack' } });

  // The pinned roots, in every namespace labelled inject-ca=true (label cert-manager's namespace too: csi-driver-spiffe
  // and istio-csr read the bundle there).
  const bundle = new TrustBundle(chart, 'internal-ca', { hierarchy: pki, namespaceLabels: { 'inject-ca': 'true' } });

  // Level 3 for one team: an in-memory TLS key and the pod's SPIFFE identity.
  const payments = new Tenant(vault, 'payments', {
    intermediate: pki.intermediate('services'),
    namespace: 'payments',
    domains: ['payments.services.internal'],
    spiffeTrustDomain: TRUST_DOMAIN,
    spiffeServiceAccounts: ['api'],
  }).placeOn(chart);
  const serviceAccount = new kplus.ServiceAccount(chart, 'api-sa', { metadata: { name: 'api', namespace: 'payments' } });
  const api = new kplus.Deployment(chart, 'api', {
    metadata: { name: 'api', namespace: 'payments' },
    serviceAccount,
    containers: [{ name: 'api', image: 'registry.acme.internal/payments/api:1.4.2', portNumber: 8443 }],
  });
  const tls = new InMemoryCertificate(chart, 'api-tls', { issuer: payments, dnsNames: ['api.payments.services.internal'] });
  tls.mount(api);
  const spiffe = new SpiffeCsiDriver(chart, 'csi-driver-spiffe', {
    trustDomain: TRUST_DOMAIN,
    issuerName: payments.issuerName,
    trustBundle: bundle,
  });
  new SpiffeIdentity(chart, 'api-svid', { driver: spiffe, issuer: payments, serviceAccount: 'api' }).mount(api);
  bundle.mount(api);

  // The mesh: istio-csr signs through the mesh tenant's Vault role.
  const mesh = new Tenant(vault, 'mesh', {
    intermediate: pki.intermediate('mesh'),
    namespace: 'istio-system',
    issuerName: 'istio-ca',
    domains: ['istio-system.svc', 'cert-manager.svc'],
    allowIntermediateDomain: true,
    keyAlgorithm: KeyAlgorithm.rsa(2048),
    maxDuration: Duration.hours(1),
    spiffeTrustDomain: TRUST_DOMAIN,
    // Istio's namespace and the mesh's workload namespaces: istio-csr binds each identity to the caller's own token.
    spiffeNamespaces: ['istio-system', 'shop'],
    allowOtherNamespaceIdentities: true,
  }).placeOn(chart);
  const istioCsr = new IstioCsr(chart, 'istio-csr', { issuer: mesh, trustBundle: bundle });

  new PkiAlerts(chart, 'alerts', { hierarchy: pki });
  return { vault, chart, pki, cluster, bundle, spiffe, istioCsr };
}
