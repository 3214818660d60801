// The README's quick start, as a consumer writes it (`npm run test:consumer` runs it against the packed library,
// importing 'cdk8s-vault-pki'). Run with `npx ts-node main.ts`: Kubernetes YAML into dist/, Terraform JSON into
// cdktf.out/stacks/vault/.
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart } from 'cdk8s';
import { App as TerraformApp } from 'cdktf';
import {
  PkiAlerts, PkiHierarchy, ShortLivedCertificate, TenantIssuer, TrustBundle, VaultPkiStack, VaultServerCa,
} from '../../src';

const k8s = new App(); // -> dist/*.k8s.yaml          (kubectl apply / GitOps)
const tf = new TerraformApp(); // -> cdktf.out/stacks/vault/  (terraform apply)

// The Vault side: a cdktf stack with the Vault provider. No credentials in code: `terraform apply` reads
// VAULT_TOKEN (or another auth method) from its environment. vault.internal has a certificate from your internal
// CA: cert-manager trusts exactly that CA (VaultServerCa.systemTrust() only for a publicly trusted certificate).
const vault = new VaultPkiStack(tf, 'vault', {
  address: 'https://vault.internal:8200',
  serverCa: VaultServerCa.fromPem(fs.readFileSync(path.join(__dirname, 'vault-ca.pem'), 'utf8')),
});
const chart = new Chart(k8s, 'pki');

// Root CA and intermediates, keys generated inside Vault.
const pki = new PkiHierarchy(chart, 'pki', {
  vault,
  root: { commonName: 'acme-root-ca' },
  intermediates: [
    { name: 'services', domains: ['services.internal'] },
    { name: 'mtls', domains: ['mtls.internal'] },
  ],
});

// One team: a namespaced Issuer with its Vault role, policy, Kubernetes auth role,
// approver-policy policy and RBAC, all derived from the same names.
const payments = new TenantIssuer(chart, 'payments', {
  intermediate: pki.intermediate('services'),
  namespace: 'payments',
  domains: ['payments.services.internal'],
});

// A 24h certificate, renewed at 16h with a new key every time.
new ShortLivedCertificate(chart, 'payments-mtls', {
  issuer: payments,
  dnsNames: ['api.payments.services.internal'],
});

// This PKI's root CA in a ConfigMap of every namespace labelled inject-ca=true.
new TrustBundle(chart, 'internal-ca', { hierarchy: pki, namespaceLabels: { 'inject-ca': 'true' } });

// Alerts scaled to the real durations, labelled so kube-prometheus-stack (release "kube-prometheus-stack") loads them.
new PkiAlerts(chart, 'alerts', { hierarchy: pki, ruleLabels: { release: 'kube-prometheus-stack' } });

k8s.synth();
tf.synth();
