import { Testing as K8sTesting } from 'cdk8s';
import { Testing as TfTesting } from 'cdktf';
import { buildReferenceScenario } from '../examples/reference/scenario';
import { ConsistencyCheck, ConsistencyFindingKind } from '../src';

function referenceOutputs() {
  const { chart, vault } = buildReferenceScenario(K8sTesting.app(), TfTesting.app());
  return { manifests: K8sTesting.synth(chart), terraform: JSON.parse(TfTesting.synth(vault, true)) };
}

/** Applies `mutate` to a deep copy of the reference outputs and returns the findings. */
function findingsAfter(mutate: (o: { manifests: any[]; terraform: any }) => void) {
  const outputs = JSON.parse(JSON.stringify(referenceOutputs()));
  mutate(outputs);
  return ConsistencyCheck.check(outputs.manifests, outputs.terraform);
}

const issuer = (o: { manifests: any[] }, ns = 'payments') => o.manifests.find((m) => m.kind === 'Issuer' && m.metadata.namespace === ns);
const tf = (o: { terraform: any }, type: string, pick: (r: any) => boolean) => Object.values(o.terraform.resource[type]).find(pick) as any;
const authRole = (o: { terraform: any }) => tf(o, 'vault_kubernetes_auth_backend_role', (r) => r.role_name === 'payments-vault-services');

describe('ConsistencyCheck', () => {
  test('the reference scenario is consistent', () => {
    const { manifests, terraform } = referenceOutputs();
    expect(manifests.filter((m: any) => m.kind === 'Issuer')).toHaveLength(3);
    expect(ConsistencyCheck.check(manifests, terraform)).toEqual([]);
  });

  test.each<[string, ConsistencyFindingKind, (o: any) => void]>([
    ['Issuer path names another mount', ConsistencyFindingKind.ISSUER_PATH, (o) => { issuer(o).spec.vault.path = 'pki-int-mtls/sign/payments-vault-services'; }],
    ['Issuer path names another role', ConsistencyFindingKind.ISSUER_PATH, (o) => { issuer(o).spec.vault.path = 'pki-int-services/sign/nobody'; }],
    ['Issuer path is malformed', ConsistencyFindingKind.ISSUER_PATH, (o) => { issuer(o).spec.vault.path = 'pki-int-services/issue/x'; }],
    ['the Vault role was renamed', ConsistencyFindingKind.ISSUER_PATH, (o) => { tf(o, 'vault_pki_secret_backend_role', (r) => r.name === 'payments-vault-services').name = 'x'; }],
    ['mountPath points to another auth method', ConsistencyFindingKind.ISSUER_MOUNT_PATH, (o) => { issuer(o).spec.vault.auth.kubernetes.mountPath = '/v1/auth/k8s'; }],
    ['the auth role does not exist', ConsistencyFindingKind.ISSUER_AUTH_ROLE, (o) => { issuer(o).spec.vault.auth.kubernetes.role = 'ghost'; }],
    ['the auth role binds another service account', ConsistencyFindingKind.ISSUER_SERVICE_ACCOUNT, (o) => { authRole(o).bound_service_account_names = ['default']; }],
    ['the service account is missing', ConsistencyFindingKind.ISSUER_SERVICE_ACCOUNT, (o) => {
      o.manifests = o.manifests.filter((m: any) => !(m.kind === 'ServiceAccount' && m.metadata.namespace === 'payments'));
    }],
    ['the auth role binds another namespace', ConsistencyFindingKind.ISSUER_NAMESPACE, (o) => { authRole(o).bound_service_account_namespaces = ['auth']; }],
    ['the auth role binds every namespace', ConsistencyFindingKind.ISSUER_NAMESPACE, (o) => { authRole(o).bound_service_account_namespaces = ['*']; }],
    ['the audience differs', ConsistencyFindingKind.ISSUER_AUDIENCE, (o) => { authRole(o).audience = 'vault://payments/other'; }],
    ['the Issuer was renamed (audience no longer matches)', ConsistencyFindingKind.ISSUER_AUDIENCE, (o) => { issuer(o).metadata.name = 'renamed'; }],
    ['the policy grants more', ConsistencyFindingKind.ISSUER_POLICY, (o) => {
      tf(o, 'vault_policy', (r) => r.name === 'pki-tenant-payments-vault-services').policy += 'path "sys/*" {\n  capabilities = ["sudo"]\n}\n';
    }],
    ['the policy grants another path', ConsistencyFindingKind.ISSUER_POLICY, (o) => {
      const p = tf(o, 'vault_policy', (r) => r.name === 'pki-tenant-payments-vault-services');
      p.policy = p.policy.replace('payments-vault-services"', 'auth-vault-services"');
    }],
    ['the policy grants read', ConsistencyFindingKind.ISSUER_POLICY, (o) => {
      const p = tf(o, 'vault_policy', (r) => r.name === 'pki-tenant-payments-vault-services');
      p.policy = p.policy.replace('"create", "update"', '"create", "update", "read"');
    }],
    ['the auth role carries another policy', ConsistencyFindingKind.ISSUER_POLICY, (o) => { authRole(o).token_policies = ['default']; }],
    ['the Issuer talks to another Vault', ConsistencyFindingKind.ISSUER_SERVER, (o) => { issuer(o).spec.vault.server = 'https://other:8200'; }],
    ['the Issuer uses a Vault namespace the Terraform does not', ConsistencyFindingKind.ISSUER_SERVER, (o) => { issuer(o).spec.vault.namespace = 'admin'; }],
    ['no policy selects the Issuer', ConsistencyFindingKind.ISSUER_APPROVER_POLICY, (o) => {
      o.manifests.find((m: any) => m.kind === 'CertificateRequestPolicy' && m.metadata.name === 'payments-vault-services').spec.selector.namespace.matchNames = ['auth'];
    }],
    ['a Certificate names a missing Issuer', ConsistencyFindingKind.CERTIFICATE_ISSUER, (o) => {
      o.manifests.find((m: any) => m.kind === 'Certificate' && m.metadata.namespace === 'payments').spec.issuerRef.name = 'nope';
    }],
    ['a Certificate names an Issuer of another namespace', ConsistencyFindingKind.CERTIFICATE_ISSUER, (o) => {
      o.manifests.find((m: any) => m.kind === 'Certificate' && m.metadata.namespace === 'payments').metadata.namespace = 'elsewhere';
    }],
  ])('catches: %s', (_, kind, mutate) => {
    const findings = findingsAfter(mutate);
    expect(findings.map((f) => f.kind)).toContain(kind);
    for (const f of findings) expect(f.message).not.toBe('');
  });

  test('a finding names the object and says what does not resolve', () => {
    const [finding] = findingsAfter((o) => { authRole(o).audience = 'vault://x/y'; });
    expect(finding).toEqual({
      kind: ConsistencyFindingKind.ISSUER_AUDIENCE,
      object: 'Issuer payments/vault-services',
      message: "auth role 'payments-vault-services' expects audience 'vault://x/y', cert-manager sends 'vault://payments/vault-services'",
    });
  });
});
