// The platform team's program (its own repository): the hierarchy, the clusters' Vault auth methods, per cluster the
// trust bundle and the alerts, and the fleet contract: what the platform owns, and which team program may own which
// tenant namespaces and stack prefix. Terraform into cdktf.out/ (the CA stack, and one small CA publication stack per
// cluster; state in S3), manifests into gitops/ (one folder per cluster and namespace, the program's own Argo CD
// ApplicationSet, inventory.json, fleet-contract.json).
import * as fs from 'fs';
import * as path from 'path';
import { Construct } from 'constructs';
import {
  ClusterChart, FleetContract, FleetTeamProgram, KubernetesAccess, PkiAlerts, PkiCluster, PkiHierarchy, StateBackend, TokenReviewer, TrustBundle,
  VaultPkiStack, VaultServerCa,
} from '../../../src';

/** The fleet's clusters: Vault runs outside all of them, so each login token reviews itself. */
export const CLUSTERS = ['prod-eu', 'prod-us', 'staging'];

/** The team programs the platform admits, and what each owns. */
export const TEAM_PROGRAMS: FleetTeamProgram[] = [
  { program: 'team-shop', namespaces: ['checkout', 'payments'] },
  { program: 'team-search', namespaces: ['catalog', 'search'] },
];

/** What a test may change of the platform: its clusters, the teams, mounts decommissioned on purpose. */
export interface PlatformOptions {
  readonly clusters?: string[];
  readonly teams?: FleetTeamProgram[];
  readonly decommissionedMounts?: string[];
}

/** Builds the platform's Vault half into `tf` and each cluster's platform objects into `k8s`; returns the contract too. */
export function buildPlatform(k8s: Construct, tf: Construct, options: PlatformOptions = {}) {
  const vault = new VaultPkiStack(tf, 'pki-platform', {
    address: 'https://vault.acme.internal:8200',
    serverCa: VaultServerCa.fromPem(fs.readFileSync(path.join(__dirname, '..', 'vault-ca.pem'), 'utf8')),
    // Certificates point RFC 5280 clients at plain http for the CA certificates and CRLs.
    aiaBaseUrl: 'http://pki.acme.internal',
    backend: StateBackend.s3({ bucket: 'acme-terraform-state', region: 'eu-central-1', dynamodbTable: 'terraform-locks', keyPrefix: 'vault-pki' }),
    decommissionedMounts: options.decommissionedMounts,
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
  const clusters = (options.clusters ?? CLUSTERS).map((name) => {
    const cluster = new PkiCluster(vault, name, {
      kubernetesHost: `https://api.${name}.acme.internal:6443`,
      kubernetesCaCertificate: kubernetesCa,
      tokenReviewer: TokenReviewer.clientToken('https://kubernetes.default.svc.cluster.local'),
      // Terraform publishes the CA certificates into each cluster from the cluster's own stack, through its API server
      // with its CA pinned (the default with a host and CA), with a token from TF_VAR_kubernetes_token_<cluster>;
      // prod-us (EKS) gets its token from the AWS CLI instead.
      kubernetesAccess: name === 'prod-us' ? KubernetesAccess.apiServer({
        exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'aws', args: ['eks', 'get-token', '--cluster-name', name] },
      }) : undefined,
    });
    const chart = new ClusterChart(k8s, name, { cluster, ruleLabels: { release: 'kube-prometheus-stack' } });
    new TrustBundle(chart, 'internal-ca', { hierarchy: pki, namespaceLabels: { 'inject-ca': 'true' } });
    new PkiAlerts(chart, 'alerts', { hierarchy: pki });
    return { cluster, chart };
  });

  const contract = FleetContract.describePlatform({
    program: 'platform',
    vault,
    hierarchies: [pki],
    clusters: clusters.map((c) => c.chart),
    teams: options.teams ?? TEAM_PROGRAMS,
  });
  return { vault, pki, clusters, contract };
}
