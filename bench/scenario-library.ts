// The scenario as a user writes it with the library (the compiled JS in lib/, as users run it): the platform
// program and the tenants program of examples/fleet in one.
import { App } from 'cdk8s';
import { App as TerraformApp } from 'cdktf';
// lib/ exists once `npm run bench` has compiled the library (its first step), not on a fresh clone.
/* eslint-disable import/no-unresolved */
import {
  ClusterChart, GitOpsOutput, PkiAlerts, PkiCluster, PkiHierarchy, ShortLivedCertificate, Tenant, TenantStacks, TrustBundle, VaultPkiStack,
  VaultServerCa,
} from '../lib';
/* eslint-enable import/no-unresolved */
import {
  BuiltScenario, certificateDnsName, clusterApiServer, clusterName, FleetSize, Outdirs, SCENARIO, tenantDomain, tenantNamespace,
} from './scenarios';

export function buildLibraryScenario(size: FleetSize, outdirs: Outdirs): BuiltScenario {
  const tf = new TerraformApp({ outdir: outdirs.tf });
  const k8s = new App();

  // The platform: hierarchy, clusters (auth mounts), and per cluster the trust bundle and the alerts.
  const vault = new VaultPkiStack(tf, SCENARIO.platformStack, { address: SCENARIO.vaultAddress, serverCa: VaultServerCa.systemTrust() });
  const pki = new PkiHierarchy(vault, SCENARIO.hierarchy, {
    root: { commonName: SCENARIO.rootCommonName },
    intermediates: [{ name: SCENARIO.intermediate, domains: [SCENARIO.intermediateDomain] }],
  });
  const charts: ClusterChart[] = [];
  for (let c = 0; c < size.clusters; c++) {
    const name = clusterName(c);
    // Each cluster by its API server's URL (Vault's own token reviews them; Terraform publishes the CA certificates
    // from each cluster's own stack, with a kubeconfig path given per cluster at apply time).
    const cluster = new PkiCluster(vault, name, { kubernetesHost: clusterApiServer(name) });
    const chart = new ClusterChart(k8s, name, { cluster, ruleLabels: SCENARIO.ruleLabels });
    new TrustBundle(chart, SCENARIO.trustBundle, { hierarchy: pki, namespaceLabels: SCENARIO.trustNamespaceLabels });
    new PkiAlerts(chart, SCENARIO.alerts, { hierarchy: pki });
    charts.push(chart);
  }

  // The tenants: sharded Vault stacks, every tenant on every cluster with two certificates.
  const shards = new TenantStacks(tf, SCENARIO.tenantStacks, {
    shards: SCENARIO.shards,
    address: SCENARIO.vaultAddress,
    serverCa: VaultServerCa.systemTrust(),
  });
  const services = pki.intermediate(SCENARIO.intermediate);
  for (let i = 0; i < size.tenants; i++) {
    const ns = tenantNamespace(i);
    const tenant = new Tenant(shards.stackFor(ns), ns, { intermediate: services, namespace: ns, domains: [tenantDomain(i)] });
    for (const chart of charts) {
      const issuer = tenant.placeOn(chart);
      for (const service of SCENARIO.services) {
        new ShortLivedCertificate(chart, `${ns}-${service}`, { issuer, certificateName: service, dnsNames: [certificateDnsName(service, i)] });
      }
    }
  }

  return {
    writeGitOps: () => {
      GitOpsOutput.write(k8s, { outdir: outdirs.gitops });
    },
    synthTerraform: () => tf.synth(),
  };
}
