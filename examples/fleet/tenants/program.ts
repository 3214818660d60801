// A tenant team's program (another repository): it imports the platform's hierarchy and clusters by their plain
// attributes and places its tenants on clusters. Terraform into cdktf.out/ (tenant shards, state in S3, apart from
// the CAs' state), manifests into gitops/. Apply after the platform's stack.
import * as fs from 'fs';
import * as path from 'path';
import { Construct } from 'constructs';
import {
  ClusterChart, IntermediateCa, PkiCluster, ShortLivedCertificate, StateBackend, Tenant, TenantStacks, TokenReviewer, VaultServerCa,
} from '../../../src';

/** A team: its namespace, the clusters it runs on, and its services (one 24h certificate each). */
export interface Team {
  readonly namespace: string;
  readonly clusters: string[];
  readonly services: string[];
}

/** The teams of this repository. */
export const TEAMS: Team[] = [
  { namespace: 'payments', clusters: ['prod-eu', 'prod-us'], services: ['api', 'ledger'] },
  { namespace: 'checkout', clusters: ['prod-eu', 'prod-us', 'staging'], services: ['web'] },
  { namespace: 'search', clusters: ['staging'], services: ['indexer', 'query'] },
];

/** Builds the tenants' Vault half (shards) into `tf` and their placements into each cluster's chart in `k8s`. */
export function buildTenants(k8s: Construct, tf: Construct, teams: Team[] = TEAMS) {
  // What the platform team publishes about its PKI: plain values, no Terraform references.
  const services = IntermediateCa.fromAttributes(tf, 'services', { hierarchyName: 'pki', name: 'services', domains: ['services.internal'] });
  const reviewer = TokenReviewer.clientToken('https://kubernetes.default.svc.cluster.local');
  const charts = new Map(['prod-eu', 'prod-us', 'staging'].map((name) => {
    const cluster = PkiCluster.fromAttributes(tf, `cluster-${name}`, { name, tokenReviewer: reviewer });
    return [name, new ClusterChart(k8s, name, { cluster, ruleLabels: { release: 'kube-prometheus-stack' } })];
  }));

  const shards = new TenantStacks(tf, 'tenants', {
    shards: 2,
    address: 'https://vault.acme.internal:8200',
    serverCa: VaultServerCa.fromPem(fs.readFileSync(path.join(__dirname, '..', 'vault-ca.pem'), 'utf8')),
    backend: StateBackend.s3({ bucket: 'acme-terraform-state', region: 'eu-central-1', dynamodbTable: 'terraform-locks', keyPrefix: 'vault-pki' }),
  });

  const tenants = teams.map((team) => {
    const tenant = new Tenant(shards.stackFor(team.namespace), team.namespace, {
      intermediate: services,
      namespace: team.namespace,
      domains: [`${team.namespace}.services.internal`],
    });
    for (const clusterName of team.clusters) {
      const chart = charts.get(clusterName)!;
      const issuer = tenant.placeOn(chart);
      for (const service of team.services) {
        new ShortLivedCertificate(chart, `${team.namespace}-${service}`, {
          issuer,
          certificateName: service,
          dnsNames: [`${service}.${team.namespace}.services.internal`],
        });
      }
    }
    return tenant;
  });
  return { shards, charts, tenants };
}
