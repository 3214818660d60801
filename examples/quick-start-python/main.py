# The README's quick start in Python: the same program as examples/quick-start/main.ts, with the jsii-built package.
# `python3 main.py` writes the Kubernetes YAML into dist/ and the Terraform JSON into cdktf.out/stacks/vault/.
from pathlib import Path

from cdk8s import App
from cdktf import App as TerraformApp
from cdk8s_vault_pki import (
    ClusterChart, IntermediateCaOptions, PkiAlerts, PkiCluster, PkiHierarchy, RootCaOptions, ShortLivedCertificate,
    Tenant, TrustBundle, VaultPkiStack, VaultServerCa,
)

k8s = App()  # -> dist/*.k8s.yaml          (kubectl apply / GitOps)
tf = TerraformApp()  # -> cdktf.out/stacks/vault/  (terraform apply)

# The Vault half. vault-ca.pem is the CA certificate that signed Vault's TLS certificate (the file beside this one is
# a placeholder: put yours there).
vault = VaultPkiStack(tf, "vault",
    address="https://vault.internal:8200",
    server_ca=VaultServerCa.from_pem(Path(__file__).with_name("vault-ca.pem").read_text()),
)

# Root CA and intermediates, keys generated inside Vault.
pki = PkiHierarchy(vault, "pki",
    root=RootCaOptions(common_name="acme-root-ca"),
    intermediates=[
        IntermediateCaOptions(name="services", domains=["services.internal"]),
        IntermediateCaOptions(name="mtls", domains=["mtls.internal"]),
    ],
)

# The cluster: its Kubernetes auth method in Vault, and its manifests.
cluster = PkiCluster(vault, "prod")
chart = ClusterChart(k8s, "pki", cluster=cluster, rule_labels={"release": "kube-prometheus-stack"})

# One team, placed on the cluster as a namespaced Issuer.
payments = Tenant(vault, "payments",
    intermediate=pki.intermediate("services"),
    namespace="payments",
    domains=["payments.services.internal"],
)
issuer = payments.place_on(chart)

# A 24h certificate, renewed 8h before expiry with a new key every time.
ShortLivedCertificate(chart, "payments-mtls", issuer=issuer, dns_names=["api.payments.services.internal"])

# The root CA in a ConfigMap of every namespace labelled inject-ca=true, and the alerts.
TrustBundle(chart, "internal-ca", hierarchy=pki, namespace_labels={"inject-ca": "true"})
PkiAlerts(chart, "alerts", hierarchy=pki)

k8s.synth()
tf.synth()
