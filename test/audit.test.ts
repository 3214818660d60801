// `cdk8s-vault-pki audit`: an estate built the way popular guides show it (test/fixtures/estate: a Vault ClusterIssuer
// any namespace can use, one Vault role and one approver policy shared by every team, a 90-day Let's Encrypt
// certificate through ingress-shim, a hand-made ingress Secret, expiry alerts with fixed thresholds, workloads reading
// their certificate through subPath and env, a Vault set up with the CLI) gets a finding per problem, each with its
// fix; the library's own examples get none of severity error.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing as K8sTesting } from 'cdk8s';
import { Testing as TfTesting, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { load } from 'js-yaml';
import { buildAdoption } from '../examples/adoption/phases';
import { buildMeshScenario } from '../examples/mesh/scenario';
import { buildReferenceScenario } from '../examples/reference/scenario';
import { ApprovalPhase, Audit, AuditResult, AuditSeverity, ConsistencyCheck } from '../src';
import { auditJson, auditSarif, auditText } from '../src/consistency/audit/audit-format';
import { csrFacts } from '../src/consistency/audit/der';
import { certificateFromIngress } from '../src/consistency/audit/ingress-shim';
import { fixedThreshold } from '../src/consistency/audit/rules/alert-rules';
import { ROLE_DEFAULTS } from '../src/consistency/audit/rules/vault-rules';
import { main } from '../src/consistency/cli';

const ROOT = path.join(__dirname, '..');
const ESTATE = path.join(__dirname, 'fixtures', 'estate');
/** Thirteen days before the hand-made portal certificate expires (test/fixtures/estate/certs/portal.pem). */
const NOW = new Date('2027-11-20T00:00:00Z');

const GUIDE: AuditResult = Audit.run([ESTATE], { now: NOW }, ROOT);
const found = (rule: string, object: string) => GUIDE.findings.filter((f) => f.rule === rule && label(f.object) === object);
const label = (o: any) => (o.type !== undefined ? `${o.type} ${o.name}` : `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`);

function io(cwd = ROOT) {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { cwd, out: (t: string) => out.push(t), err: (t: string) => err.push(t) }, out, err };
}

describe('the guide estate', () => {
  test.each([
    // issuers
    ['cluster-issuer-shared', 'ClusterIssuer vault-issuer', 'error'],
    ['vault-issuer-auth', 'ClusterIssuer vault-issuer', 'error'],
    ['vault-issuer-auth', 'Issuer legacy/vault-issuer', 'error'],
    ['issuer-shared-role', 'ClusterIssuer vault-issuer', 'error'],
    // the one approver policy for everyone
    ['policy-scope', 'CertificateRequestPolicy allow-all', 'error'],
    ['policy-names', 'CertificateRequestPolicy allow-all', 'error'],
    ['policy-limits', 'CertificateRequestPolicy allow-all', 'error'],
    ['approval-coverage', 'CertificateRequest legacy/manual-1', 'warning'],
    // certificates
    ['certificate-lifetime', 'Certificate team-a/web', 'error'],
    ['certificate-key-rotation', 'Certificate team-a/web', 'error'],
    ['certificate-key-rotation', 'Ingress shop/storefront', 'warning'],
    // the hand-made ingress Secret, and the workloads that cannot see a renewal
    ['secret-unowned', 'Secret legacy/portal-tls', 'error'],
    ['workload-renewal-blind', 'Deployment team-a/web', 'error'],
    ['workload-renewal-blind', 'Deployment team-b/api', 'error'],
    // trust and alerts
    ['bundle-intermediate', 'Bundle example-ca', 'error'],
    ['bundle-public-cas', 'Bundle example-ca', 'warning'],
    ['alert-fixed-threshold', 'PrometheusRule monitoring/certificate-expiry', 'error'],
    ['alert-unknown-metric', 'PrometheusRule monitoring/certificate-expiry', 'error'],
    // the Vault set up with the CLI (vault read) and imported into Terraform (terraform show -json)
    ['vault-role-lifetime', 'vault_pki_secret_backend_role pki_int/roles/example-dot-com', 'error'],
    ['vault-role-names', 'vault_pki_secret_backend_role pki_int/roles/example-dot-com', 'error'],
    ['vault-role-names', 'vault_pki_secret_backend_role vault_pki_secret_backend_role.servers_2023', 'error'],
    ['vault-role-storage', 'vault_pki_secret_backend_role pki_int/roles/example-dot-com', 'warning'],
    ['vault-auth-role', 'vault_kubernetes_auth_backend_role auth/kubernetes/role/issuer', 'error'],
    ['vault-auth-role', 'vault_approle_auth_backend_role auth/approle/role/cert-manager', 'error'],
    ['vault-policy-broad', 'vault_policy sys/policies/acl/pki', 'error'],
    ['intermediate-constraints', 'vault_pki_issuer pki_int/issuer/default', 'error'],
    ['intermediate-constraints', 'vault_pki_secret_backend_root_sign_intermediate vault_pki_secret_backend_root_sign_intermediate.intermediate', 'error'],
    // ConsistencyCheck's rules, over the estate with the same ids
    ['issuer-namespace', 'Issuer legacy/vault-issuer', 'error'],
    ['issuer-audience', 'Issuer legacy/vault-issuer', 'error'],
    ['issuer-policy', 'Issuer legacy/vault-issuer', 'error'],
    // public: reported as public, with what it needs
    ['public-issuer', 'ClusterIssuer letsencrypt-prod', 'note'],
    ['public-certificate', 'Ingress shop/storefront', 'note'],
  ])('%s: %s (%s)', (rule, object, severity) => {
    const findings = found(rule, object);
    expect(findings.map((f) => f.severity)).toContain(severity);
    for (const f of findings) {
      expect(f.file).toMatch(/^test\/fixtures\/estate\//);
      expect(f.line).toBeGreaterThan(0);
      if (f.severity !== AuditSeverity.NOTE) expect(f.message).toMatch(/fix: /);
    }
  });

  test('every finding of severity error or warning names its fix; the values are named (the portal certificate\'s expiry from the certificate itself)', () => {
    for (const f of GUIDE.findings.filter((x) => x.severity !== AuditSeverity.NOTE)) expect([f.rule, f.message]).toEqual([f.rule, expect.stringMatching(/fix: /)]);
    expect(found('secret-unowned', 'Secret legacy/portal-tls')[0].message).toContain('CN=portal.example.com [portal.example.com], issued by O=Example Corp, CN=Example Corp Internal CA, expires 2027-12-03 (in 13 day(s)), used by Ingress legacy/portal');
    expect(found('workload-renewal-blind', 'Deployment team-a/web').map((f) => f.message).join('\n')).toContain("with subPath 'tls.crt' of volume 'tls'");
    expect(found('workload-renewal-blind', 'Deployment team-b/api').map((f) => f.message).join('\n')).toContain("variable TLS_CERT from key 'tls.crt'");
    expect(found('alert-fixed-threshold', 'PrometheusRule monitoring/certificate-expiry').map((f) => f.message).join('\n'))
      .toMatch(/CertificateExpiringSoon .*fires for as long as Certificate team-b\/api \(24h\)[\s\S]*CertificateExpiresToday .*never fires in time/);
    expect(found('public-certificate', 'Ingress shop/storefront')[0].message).toContain('it lives 90 days (Let\'s Encrypt decides) and renews 720h (30d) before expiry');
  });

  test('the one approver policy for everyone selects every Issuer (the ConsistencyCheck rule reads nil and * selectors as approver-policy does)', () => {
    expect(found('issuer-approver-policy', 'Issuer legacy/vault-issuer')).toEqual([]);
  });

  test('the command: text by default, exit 1 on errors; json and sarif; --output', () => {
    const text = io();
    expect(main(['audit', 'test/fixtures/estate', '--now', NOW.toISOString()], text.io)).toBe(1);
    expect(text.out.join('\n')).toMatch(/^error {3}cluster-issuer-shared {2}ClusterIssuer vault-issuer {2}\(test\/fixtures\/estate\/cluster.yaml:\d+\)/m);
    expect(text.out.join('\n')).toMatch(/== cdk8s-vault-pki audit: 21 object\(s\), 12 Terraform\/Vault resource\(s\), \d+ rules: \d+ error\(s\)/);

    const json = io();
    expect(main(['audit', 'test/fixtures/estate', '--format', 'json', '--now', NOW.toISOString()], json.io)).toBe(1);
    const parsed = JSON.parse(json.out.join('\n'));
    for (const f of parsed.findings) {
      expect(Object.keys(f).filter((k) => k !== 'line').sort()).toEqual(['file', 'message', 'object', 'rule', 'severity']);
      expect(['error', 'warning', 'note']).toContain(f.severity);
      expect(Object.keys(f.object).sort()).toEqual(expect.arrayContaining(f.object.type !== undefined ? ['name', 'type'] : ['kind', 'name']));
    }

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-'));
    const sarif = io();
    expect(main(['audit', 'test/fixtures/estate', '--format', 'sarif', '--output', path.join(dir, 'audit.sarif'), '--now', NOW.toISOString()], sarif.io)).toBe(1);
    expect(sarif.err.join('\n')).toMatch(/\(sarif report written to .*audit.sarif\)$/);
    const log = JSON.parse(fs.readFileSync(path.join(dir, 'audit.sarif'), 'utf8'));
    expect(log.version).toBe('2.1.0');
    const run = log.runs[0];
    const ids = run.tool.driver.rules.map((r: any) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(Audit.rules().map((r) => r.id));
    for (const r of run.results) {
      expect(ids[r.ruleIndex]).toBe(r.ruleId);
      expect(['error', 'warning', 'note']).toContain(r.level);
      expect(r.locations[0].physicalLocation.artifactLocation.uri).toMatch(/^test\/fixtures\/estate\//);
      expect(r.locations[0].physicalLocation.region.startLine).toBeGreaterThan(0);
      expect(r.partialFingerprints['auditObject/v1']).toContain(r.ruleId);
    }
    expect(run.results).toHaveLength(parsed.findings.length);
  });

  test('suppression: --skip <rule>, --skip <rule>@<object>, and the annotation on an object; unknown rules are a usage error', () => {
    const all = found('vault-issuer-auth', 'ClusterIssuer vault-issuer').length + found('vault-issuer-auth', 'Issuer legacy/vault-issuer').length;
    expect(all).toBe(2);
    const skipped = Audit.run([ESTATE], { now: NOW, skip: ['vault-issuer-auth'] }, ROOT);
    expect(skipped.findings.filter((f) => f.rule === 'vault-issuer-auth')).toEqual([]);
    expect(skipped.rules).toBe(GUIDE.rules - 1);
    const one = Audit.run([ESTATE], { now: NOW, skip: ['vault-issuer-auth@ClusterIssuer/vault-issuer', 'vault-role-names@vault_pki_secret_backend_role/*'] }, ROOT);
    expect(one.findings.filter((f) => f.rule === 'vault-issuer-auth').map((f) => label(f.object))).toEqual(['Issuer legacy/vault-issuer']);
    expect(one.findings.filter((f) => f.rule === 'vault-role-names')).toEqual([]);

    const doc: any = load(fs.readFileSync(path.join(ESTATE, 'cluster.yaml'), 'utf8'));
    const bundle = doc.items.find((o: any) => o.kind === 'Bundle');
    bundle.metadata.annotations = { [Audit.SKIP_ANNOTATION]: 'bundle-intermediate, bundle-public-cas' };
    const annotated = Audit.auditObjects(doc.items, [], { now: NOW });
    expect(annotated.findings.filter((f) => f.object.kind === 'Bundle')).toEqual([]);

    const usage = io();
    expect(main(['audit', 'test/fixtures/estate', '--skip', 'no-such-rule'], usage.io)).toBe(2);
    expect(usage.err.join('\n')).toContain('unknown audit rule no-such-rule');
  });

  test('--list-rules lists every rule with its severity, description and source; each consistency rule is ConsistencyCheck\'s', () => {
    const list = io();
    expect(main(['audit', '--list-rules'], list.io)).toBe(0);
    const text = list.out.join('\n');
    for (const r of Audit.rules()) {
      expect(text).toContain(r.id);
      expect(r.source.length).toBeGreaterThan(5);
      if (r.consistency) expect(ConsistencyCheck.rules().map((c) => c.id as string)).toContain(r.id);
    }
  });
});

describe('what the audit reads', () => {
  test('kind: List with items, YAML documents (Helm output), terraform show -json of a plan with child modules, kubectl JSON; other files are listed as ignored', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'estate-'));
    fs.writeFileSync(path.join(dir, 'helm.yaml'), [
      '---', '# Source: chart/templates/issuer.yaml', 'apiVersion: cert-manager.io/v1', 'kind: ClusterIssuer', 'metadata:', '  name: ca', 'spec:', '  ca:', '    secretName: ca',
      '---', '# Source: chart/templates/empty.yaml', '---', 'apiVersion: v1', 'kind: Namespace', 'metadata:', '  name: team',
    ].join('\n'));
    fs.writeFileSync(path.join(dir, 'plan.json'), JSON.stringify({
      format_version: '1.2',
      planned_values: {
        root_module: {
          child_modules: [{
            address: 'module.pki',
            resources: [
              { address: 'module.pki.vault_pki_secret_backend_role.web', mode: 'managed', type: 'vault_pki_secret_backend_role', name: 'web', values: { backend: 'pki', name: 'web', max_ttl: '2592000', allow_any_name: true } },
              { address: 'module.pki.data.vault_policy_document.x', mode: 'data', type: 'vault_policy_document', name: 'x', values: {} },
            ],
          }],
        },
      },
    }));
    fs.writeFileSync(path.join(dir, 'pods.json'), JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'team' }, spec: { containers: [] } }] }));
    fs.writeFileSync(path.join(dir, 'values.yaml'), 'replicaCount: 2\n');
    const result = Audit.run([dir], { now: NOW });
    expect([result.objects, result.resources]).toEqual([3, 1]);
    expect(result.ignoredFiles.map((f) => path.basename(f))).toEqual(['values.yaml']);
    const cluster = result.findings.find((f) => f.rule === 'cluster-issuer-shared')!;
    expect([path.basename(cluster.file), cluster.line]).toEqual(['helm.yaml', 3]);
    expect(result.findings.filter((f) => f.rule === 'vault-role-lifetime').map((f) => f.object)).toEqual([{ type: 'vault_pki_secret_backend_role', name: 'module.pki.vault_pki_secret_backend_role.web' }]);
  });

  test('a CertificateRequest\'s CSR is decoded as approver-policy reads it (names, key)', () => {
    const doc: any = load(fs.readFileSync(path.join(ESTATE, 'cluster.yaml'), 'utf8'));
    const cr = doc.items.find((o: any) => o.kind === 'CertificateRequest');
    expect(csrFacts(cr.spec.request)).toEqual({
      commonName: 'manual.example.com',
      organizations: [],
      dnsNames: ['manual.example.com', 'admin.team-a.example.com'],
      ipAddresses: [],
      uris: [],
      emailAddresses: [],
      keyAlgorithm: 'RSA',
      keySize: 2048,
    });
  });

  test('ingress-shim: conflicting annotations create nothing; tls-acme alone uses the controller\'s default issuer (unknown here)', () => {
    const ing = (annotations: Record<string, string>) => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'i', namespace: 'n', annotations },
      spec: { tls: [{ hosts: ['a.example.com'], secretName: 's' }] },
    });
    expect(certificateFromIngress(ing({ 'cert-manager.io/issuer': 'a', 'cert-manager.io/cluster-issuer': 'b' }))).toEqual([]);
    expect(certificateFromIngress(ing({ 'kubernetes.io/tls-acme': 'true' }))[0].spec.issuerRef).toEqual({ name: '', kind: 'Issuer', group: 'cert-manager.io' });
    expect(certificateFromIngress(ing({}))).toEqual([]);
    expect(certificateFromIngress(ing({ 'cert-manager.io/cluster-issuer': 'le', 'cert-manager.io/duration': 'one day' }))).toEqual([]);
  });

  test('fixed thresholds are read in seconds from the forms blog posts use; relative alerts (PkiAlerts) are not fixed', () => {
    expect(fixedThreshold('certmanager_certificate_expiration_timestamp_seconds - time() < 7 * 24 * 3600')?.threshold).toBe(604800);
    expect(fixedThreshold('(certmanager_certificate_expiration_timestamp_seconds - time()) / 86400 < 7')?.threshold).toBe(604800);
    expect(fixedThreshold('x509_cert_expires_in_seconds{secret_name="x"} <= 2419200')?.threshold).toBe(2419200);
    expect(fixedThreshold('(time() - certmanager_certificate_renewal_timestamp_seconds > 0.25 * (certmanager_certificate_expiration_timestamp_seconds - certmanager_certificate_renewal_timestamp_seconds))')).toBeUndefined();
  });

  test('the Vault role defaults the audit assumes are the provider 5.6.0 schema\'s', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'upstream', 'tf-providers', 'vault-5.6.0.schema.json'), 'utf8'));
    const role = schema.resources.vault_pki_secret_backend_role;
    const attributes = (role.block ?? role).attributes;
    for (const [name, value] of Object.entries(ROLE_DEFAULTS)) expect([name, attributes[name].default]).toEqual([name, value]);
  });
});

/** Every Kubernetes object of `k8s`'s charts and every Terraform stack of `tf`, synthesized in memory with validations. */
function synthesized(k8s: Construct, tf: Construct): { manifests: any[]; terraform: any[] } {
  const charts = k8s.node.children.filter((c: any) => typeof c.toJson === 'function');
  const stacks = tf.node.findAll().filter((c): c is TerraformStack => c instanceof TerraformStack);
  return { manifests: charts.flatMap((c: any) => K8sTesting.synth(c)), terraform: stacks.map((s) => JSON.parse(TfTesting.synth(s, true))) };
}

describe("the library's own examples audit clean (no finding of severity error)", () => {
  const audit = (build: (k8s: Construct, tf: Construct) => unknown) => {
    const k8s = K8sTesting.app();
    const tf = TfTesting.app() as Construct;
    build(k8s, tf);
    const { manifests, terraform } = synthesized(k8s, tf);
    return Audit.auditObjects(manifests, terraform);
  };
  test.each([
    ['reference', (k8s: Construct, tf: Construct) => buildReferenceScenario(k8s, tf)],
    ['mesh', (k8s: Construct, tf: Construct) => buildMeshScenario(k8s, tf as any)],
    ['adoption, OBSERVE', (k8s: Construct, tf: Construct) => buildAdoption(k8s, tf, ApprovalPhase.OBSERVE)],
    ['adoption, ENFORCE', (k8s: Construct, tf: Construct) => buildAdoption(k8s, tf, ApprovalPhase.ENFORCE)],
  ] as [string, (k8s: Construct, tf: Construct) => unknown][])('%s', (_name, build) => {
    const result = audit(build);
    expect(result.objects).toBeGreaterThan(20);
    expect(result.findings.filter((f) => f.severity === AuditSeverity.ERROR).map((f) => `${f.rule} ${label(f.object)}: ${f.message}`)).toEqual([]);
  });

  test('adoption: while the rollout observes, the audit shows the public certificate its policy does not approve yet; enforced, nothing', () => {
    const coverage = (phase: ApprovalPhase) => audit((k8s, tf) => buildAdoption(k8s, tf, phase)).findings.filter((f) => f.rule === 'approval-coverage').map((f) => label(f.object));
    expect(coverage(ApprovalPhase.OBSERVE)).toEqual(['Certificate shop/storefront']);
    expect(coverage(ApprovalPhase.ENFORCE)).toEqual([]);
  });

  test('the text, json and sarif of a clean result', () => {
    const result = audit((k8s, tf) => buildReferenceScenario(k8s, tf));
    expect(auditText(result)).toMatch(/: 0 error\(s\), 0 warning\(s\), 0 note\(s\)$/);
    expect(JSON.parse(auditJson(result)).findings).toEqual([]);
    expect(JSON.parse(auditSarif(result, Audit.rules(), '0.0.0')).runs[0].results).toEqual([]);
  });
});
