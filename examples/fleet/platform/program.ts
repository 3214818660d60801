// The platform team's program (its own repository): the hierarchy, the clusters' Vault auth methods, and per
// cluster the trust bundle and the alerts. Terraform into cdktf.out/ (one stack, state in S3), manifests into
// gitops/ (one folder per cluster and namespace, an Argo CD ApplicationSet, inventory.json).
import * as fs from 'fs';
import * as path from 'path';
import { Construct } from 'constructs';
import {
  ClusterChart, PkiAlerts, PkiCluster, PkiHierarchy, StateBackend, TokenReviewer, TrustBundle, VaultPkiStack, VaultServerCa,
} from '../../../src';

/** The fleet's clusters: Vault runs outside all of them, so each login token reviews itself. */
export const CLUSTERS = ['prod-eu', 'prod-us', 'staging'];

/** Builds the platform's Vault half into `tf` and each cluster's platform objects into `k8s`. */
export function buildPlatform(k8s: Construct, tf: Construct) {
  const vault = new VaultPkiStack(tf, 'pki-platform', {
    address: 'https://vault.acme.internal:8200',
    serverCa: VaultServerCa.fromPem(fs.readFileSync(path.join(__dirname, '..', 'vault-ca.pem'), 'utf8')),
    // Certificates point RFC 5280 clients at plain http for the CA certificates and CRLs.
    aiaBaseUrl: 'http://pki.acme.internal',
    backend: StateBackend.s3({ bucket: 'acme-terraform-state', region: 'eu-central-1', dynamodbTable: 'terraform-locks', keyPrefix: 'vault-pki' }),
  });

  const pki = new PkiHierarchy(vault, 'pki', {
    root: { commonName: 'acme-root-ca' },
    intermediates: [
      { name: 'services', domains: ['services.internal'] },
      { name: 'ingress', domains: ['ingress.external'] },
      { name: 'mtls', domains: ['mtls.internal'] },
    ],
  });

  const kubernetesCa = fs.readFileSync(path.join(__dirname, 'kubernetes-ca.pem'), 'utf8');
  const clusters = CLUSTERS.map((name) => {
    const cluster = new PkiCluster(vault, name, {
      kubernetesHost: `https://api.${name}.acme.internal:6443`,
      kubernetesCaCertificate: kubernetesCa,
      tokenReviewer: TokenReviewer.clientToken('https://kubernetes.default.svc.cluster.local'),
    });
    const chart = new ClusterChart(k8s, name, { cluster, ruleLabels: { release: 'kube-prometheus-stack' } });
    new TrustBundle(chart, 'internal-ca', { hierarchy: pki, namespaceLabels: { 'inject-ca': 'true' } });
    new PkiAlerts(chart, 'alerts', { hierarchy: pki });
    return { cluster, chart };
  });
  return { vault, pki, clusters };
}
