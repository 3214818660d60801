// The scenario as a user writes it with the library (the compiled JS in lib/, as users run it).
import { App, Chart } from 'cdk8s';
import { App as TerraformApp } from 'cdktf';
// lib/ exists once `npm run bench` has compiled the library (its first step), not on a fresh clone.
// eslint-disable-next-line import/no-unresolved
import { PkiHierarchy, ShortLivedCertificate, TenantIssuer, VaultPkiStack, VaultServerCa } from '../lib';
import {
  BuiltScenario, Outdirs, SCENARIO, tenantCertificateDnsName, tenantDomain, tenantNamespace,
} from './scenarios';

export function buildLibraryScenario(tenants: number, outdirs: Outdirs): BuiltScenario {
  const k8s = new App({ outdir: outdirs.k8s });
  const tf = new TerraformApp({ outdir: outdirs.tf });
  const vault = new VaultPkiStack(tf, SCENARIO.stackId, { address: SCENARIO.vaultAddress, serverCa: VaultServerCa.systemTrust() });
  const chart = new Chart(k8s, SCENARIO.chartId);
  const pki = new PkiHierarchy(chart, SCENARIO.hierarchy, {
    vault,
    root: { commonName: SCENARIO.rootCommonName },
    intermediates: [{ name: SCENARIO.intermediate, domains: [SCENARIO.intermediateDomain] }],
  });
  for (let i = 0; i < tenants; i++) {
    const ns = tenantNamespace(i);
    const issuer = new TenantIssuer(chart, ns, {
      intermediate: pki.intermediate(SCENARIO.intermediate),
      namespace: ns,
      domains: [tenantDomain(i)],
    });
    new ShortLivedCertificate(chart, `${ns}-mtls`, { issuer, dnsNames: [tenantCertificateDnsName(i)] });
  }
  return { k8s, tf };
}
