// The README's quick start: `npm run synth` writes the Kubernetes YAML into dist/ and the Terraform JSON into
// cdktf.out/stacks/vault/ (`npm run test:consumer` runs this folder, copied as it is, against the packed library).
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import {
  ClusterChart, PkiAlerts, PkiCluster, PkiHierarchy, ShortLivedCertificate, Tenant, TrustBundle, VaultPkiStack, VaultServerCa,
} from 'cdk8s-vault-pki';
import { App as TerraformApp } from 'cdktf';

const k8s = new App(); // -> dist/*.k8s.yaml          (kubectl apply / GitOps)
const tf = new TerraformApp(); // -> cdktf.out/stacks/vault/  (terraform apply)

// The Vault half, a cdktf stack with the Vault provider. No credentials in code: `terraform apply` reads
// VAULT_TOKEN (or another auth method) from its environment. vault-ca.pem is the CA certificate that signed Vault's
// TLS certificate (the file beside this one is a placeholder: put yours there); cert-manager trusts exactly that CA
// (VaultServerCa.systemTrust() only for a publicly trusted certificate).
const vault = new VaultPkiStack(tf, 'vault', {
  address: 'https://vault.internal:8200',
  serverCa: VaultServerCa.fromPem(fs.readFileSync(path.join(__dirname, 'vault-ca.pem'), 'utf8')),
});

// Root CA and intermediates, keys generated inside Vault.
const pki = new PkiHierarchy(vault, 'pki', {
  root: { commonName: 'acme-root-ca' },
  intermediates: [
    { name: 'services', domains: ['services.internal'] },
    { name: 'mtls', domains: ['mtls.internal'] },
  ],
});

// The cluster: its Kubernetes auth method in Vault (Vault runs in this cluster), and its manifests, whose
// PrometheusRules carry the label kube-prometheus-stack (release "kube-prometheus-stack") selects.
const cluster = new PkiCluster(vault, 'prod');
const chart = new ClusterChart(k8s, 'pki', { cluster, ruleLabels: { release: 'kube-prometheus-stack' } });

// One team: a Vault role and policy limited to its domains, placed on the cluster as a namespaced Issuer
// with its Kubernetes auth role, approver-policy policy and RBAC, all derived from the same names.
const payments = new Tenant(vault, 'payments', {
  intermediate: pki.intermediate('services'),
  namespace: 'payments',
  domains: ['payments.services.internal'],
});
const issuer = payments.placeOn(chart);

// A 24h certificate, renewed 8h before expiry with a new key every time.
new ShortLivedCertificate(chart, 'payments-mtls', {
  issuer,
  dnsNames: ['api.payments.services.internal'],
});

// The PKI's root CA (every live generation) in a ConfigMap of every namespace labelled inject-ca=true.
new TrustBundle(chart, 'internal-ca', { hierarchy: pki, namespaceLabels: { 'inject-ca': 'true' } });

// Alerts scaled to the real durations.
new PkiAlerts(chart, 'alerts', { hierarchy: pki });

k8s.synth();
tf.synth();
