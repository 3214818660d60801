import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing as K8sTesting } from 'cdk8s';
import { Testing as TfTesting } from 'cdktf';
import * as YAML from 'yaml';
import { buildReferenceScenario } from '../examples/reference/scenario';
import { ConsistencyCheck, ConsistencyFindingKind } from '../src';

/** The reference outputs: the manifests, the Vault stack, and the cluster's CA publication stack (its own stack). */
function referenceOutputs() {
  const { chart, vault, cluster } = buildReferenceScenario(K8sTesting.app(), TfTesting.app());
  return {
    manifests: K8sTesting.synth(chart),
    terraform: JSON.parse(TfTesting.synth(vault, true)),
    publication: JSON.parse(TfTesting.synth(cluster.caPublicationStack!, true)),
  };
}

/** Applies `mutate` to a deep copy of the reference outputs and returns the findings. */
function findingsAfter(mutate: (o: { manifests: any[]; terraform: any }) => void) {
  const outputs = JSON.parse(JSON.stringify(referenceOutputs()));
  mutate(outputs);
  return ConsistencyCheck.check(outputs.manifests, [outputs.terraform, outputs.publication]);
}

const issuer = (o: { manifests: any[] }, ns = 'payments') => o.manifests.find((m) => m.kind === 'Issuer' && m.metadata.namespace === ns);
const tf = (o: { terraform: any }, type: string, pick: (r: any) => boolean) => Object.values(o.terraform.resource[type]).find(pick) as any;
const authRole = (o: { terraform: any }) => tf(o, 'vault_kubernetes_auth_backend_role', (r) => r.role_name === 'payments-vault-services');

describe('ConsistencyCheck', () => {
  test('the reference scenario is consistent', () => {
    const { manifests, terraform, publication } = referenceOutputs();
    expect(manifests.filter((m: any) => m.kind === 'Issuer')).toHaveLength(3);
    expect(ConsistencyCheck.check(manifests, [terraform, publication])).toEqual([]);
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
    ['a Certificate asks for another key than the policy and the Vault role', ConsistencyFindingKind.CERTIFICATE_KEY_ALGORITHM, (o) => {
      o.manifests.find((m: any) => m.kind === 'Certificate' && m.metadata.namespace === 'payments').spec.privateKey = { algorithm: 'RSA', size: 2048 };
    }],
    ['the Vault role signs another key size', ConsistencyFindingKind.CERTIFICATE_KEY_ALGORITHM, (o) => {
      tf(o, 'vault_pki_secret_backend_role', (r) => r.name === 'payments-vault-services').key_bits = 384;
    }],
    ['a Certificate outlives its policy', ConsistencyFindingKind.CERTIFICATE_DURATION, (o) => {
      o.manifests.find((m: any) => m.kind === 'Certificate' && m.metadata.namespace === 'payments').spec.duration = '48h';
    }],
    ['a Certificate relies on cert-manager\'s 90-day default', ConsistencyFindingKind.CERTIFICATE_DURATION, (o) => {
      delete o.manifests.find((m: any) => m.kind === 'Certificate' && m.metadata.namespace === 'payments').spec.duration;
    }],
    ['the Vault role allows less than the Certificate asks', ConsistencyFindingKind.CERTIFICATE_DURATION, (o) => {
      tf(o, 'vault_pki_secret_backend_role', (r) => r.name === 'payments-vault-services').max_ttl = '3600';
    }],
    ['two Certificates write one Secret', ConsistencyFindingKind.CERTIFICATE_SECRET, (o) => {
      const cert = o.manifests.find((m: any) => m.kind === 'Certificate' && m.metadata.namespace === 'payments');
      o.manifests.push({ ...cert, metadata: { ...cert.metadata, name: 'second' } });
    }],
    ['an object is emitted twice', ConsistencyFindingKind.DUPLICATE_OBJECT, (o) => {
      o.manifests.push(JSON.parse(JSON.stringify(issuer(o))));
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

describe('ConsistencyCheck rules and scale', () => {
  test('lists its rules as data: an id and a description each, every finding kind covered once', () => {
    const rules = ConsistencyCheck.rules();
    expect(rules.map((r) => r.id).sort()).toEqual(Object.values(ConsistencyFindingKind).sort());
    for (const r of rules) expect(r.description.length).toBeGreaterThan(20);
  });

  test('a skipped rule reports nothing', () => {
    const outputs = JSON.parse(JSON.stringify(referenceOutputs()));
    authRole(outputs).audience = 'vault://x/y';
    const skip = [ConsistencyFindingKind.ISSUER_AUDIENCE];
    expect(ConsistencyCheck.check(outputs.manifests, [outputs.terraform, outputs.publication], { skip })).toEqual([]);
  });

  test('checkOutputs reads outputs far beyond 10 MiB of YAML from disk (2,600 tenants) and finds the one break', () => {
    const { manifests, terraform } = referenceOutputs();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'consistency-scale-'));
    const perTenant = manifests.filter((m: any) => m.metadata?.namespace === 'payments' || m.metadata?.name === 'payments-vault-services');
    const template = perTenant.map((d: any) => YAML.stringify(d)).join('---\n');
    const tenantTf = ['vault_pki_secret_backend_role', 'vault_policy', 'vault_kubernetes_auth_backend_role']
      .map((type) => [type, ...Object.entries(terraform.resource[type]).find(([, r]: [string, any]) => JSON.stringify(r).includes('payments'))!] as [string, string, any]);
    const tenants = 2600;
    const chunks: string[] = [];
    for (let i = 0; i < tenants; i++) {
      const ns = `team${i}`;
      chunks.push(template.replace(/payments/g, ns));
      for (const [type, id, body] of tenantTf) terraform.resource[type][id.replace(/payments/g, ns)] = JSON.parse(JSON.stringify(body).replace(/payments/g, ns));
    }
    // One break, in the last tenant: its Issuer signs with a role that does not exist.
    const last = chunks.length - 1;
    chunks[last] = chunks[last].replace(`path: pki-int-services/sign/team${last}-vault-services`, 'path: pki-int-services/sign/ghost');
    const yamlFile = path.join(dir, 'dist', 'fleet.k8s.yaml');
    fs.mkdirSync(path.dirname(yamlFile));
    fs.writeFileSync(yamlFile, chunks.join('---\n'));
    fs.writeFileSync(path.join(dir, 'cdk.tf.json'), JSON.stringify(terraform));
    expect(fs.statSync(yamlFile).size).toBeGreaterThan(10 * 1024 * 1024);
    const findings = ConsistencyCheck.checkOutputs(path.join(dir, 'dist'), path.join(dir, 'cdk.tf.json'));
    expect(findings.map((f) => `${f.kind} ${f.object}`)).toEqual([
      `issuer-path Issuer team${last}/vault-services`,
      `issuer-policy Issuer team${last}/vault-services`,
    ]);
  });
});
