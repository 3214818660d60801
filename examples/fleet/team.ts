// What every team program of the fleet does (each in its own repository): read the platform's fleet contract, import
// the platform's intermediate and clusters from it (no hand-typed domain, auth setting, Vault address or namespace),
// and place its tenants on clusters. Terraform into cdktf.out/ (the team's shards `<program>-00`, ..., state in S3 apart
// from the CAs' state), manifests into gitops/ (its own ApplicationSet `vault-pki-<program>`). Apply after the
// platform's stacks.
import { Construct } from 'constructs';
import { ClusterChart, FleetContract, ShortLivedCertificate, StateBackend, Tenant } from '../../src';

/** A team: its namespace, the clusters it runs on, and its services (one 24h certificate each). */
export interface Team {
  readonly namespace: string;
  readonly clusters: string[];
  readonly services: string[];
}

/** Builds a team program's tenants from the contract: shards into `tf`, placements into each cluster's chart in `k8s`. */
export function buildTeam(k8s: Construct, tf: Construct, contract: FleetContract, teams: Team[]) {
  const services = contract.intermediate(tf, 'services', 'services');
  const charts = new Map<string, ClusterChart>();
  const chartOf = (name: string) => {
    if (!charts.has(name)) charts.set(name, contract.clusterChart(k8s, name, name));
    return charts.get(name)!;
  };
  const shards = contract.tenantStacks(tf, {
    shards: 2,
    backend: StateBackend.s3({ bucket: 'acme-terraform-state', region: 'eu-central-1', dynamodbTable: 'terraform-locks', keyPrefix: 'vault-pki' }),
  });
  const tenants = teams.map((team) => {
    const tenant = new Tenant(shards.stackFor(team.namespace), team.namespace, {
      intermediate: services,
      namespace: team.namespace,
      domains: [`${team.namespace}.services.internal`],
    });
    for (const clusterName of team.clusters) {
      const chart = chartOf(clusterName);
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
