import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdk8s';
import { App as TerraformApp } from 'cdktf';
import * as YAML from 'yaml';
import { buildPlatform, CLUSTERS } from '../examples/fleet/platform/program';
import { buildTenants, TEAMS } from '../examples/fleet/tenants/program';
import { ConsistencyCheck, ConsistencyFindingKind, GitOpsOutput } from '../src';

/** Both fleet programs, each synthesized the way its main.ts does it, into its own folder. */
function synthFleet(teams = TEAMS) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-'));
  const out = (program: string) => path.join(dir, program);
  for (const program of ['platform', 'tenants']) fs.mkdirSync(out(program));
  const platform = { k8s: new App(), tf: new TerraformApp({ outdir: path.join(out('platform'), 'cdktf.out') }) };
  buildPlatform(platform.k8s, platform.tf);
  GitOpsOutput.write(platform.k8s, { outdir: path.join(out('platform'), 'gitops'), argoCd: { repoUrl: 'https://git.example/pki.git', path: 'platform' } });
  platform.tf.synth();
  const tenants = { k8s: new App(), tf: new TerraformApp({ outdir: path.join(out('tenants'), 'cdktf.out') }) };
  const built = buildTenants(tenants.k8s, tenants.tf, teams);
  const written = GitOpsOutput.write(tenants.k8s, { outdir: path.join(out('tenants'), 'gitops') });
  tenants.tf.synth();
  return { dir, out, written, built };
}

/** Every file under `dir`, relative path -> text. */
function tree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else files.set(path.relative(dir, p), fs.readFileSync(p, 'utf8'));
    }
  };
  walk(dir);
  return files;
}

function fleetFindings(dir: string) {
  return ConsistencyCheck.checkFleet(
    [path.join(dir, 'platform', 'gitops'), path.join(dir, 'tenants', 'gitops')],
    [path.join(dir, 'platform', 'cdktf.out'), path.join(dir, 'tenants', 'cdktf.out')],
  );
}

describe('a fleet: a platform program and a tenant team\'s program, three clusters', () => {
  const fleet = synthFleet();

  test('GitOps: one folder per cluster and namespace, every object in a predictable file, a kustomization in each folder', () => {
    const files = [...tree(fleet.out('tenants')).keys()].filter((f) => f.startsWith('gitops/clusters/prod-eu/'));
    expect(files.sort()).toEqual([
      '_cluster/certificaterequestpolicy-checkout-vault-services.yaml',
      '_cluster/certificaterequestpolicy-payments-vault-services.yaml',
      '_cluster/clusterrolebinding-vault-pki-token-review-checkout-vault-services.yaml',
      '_cluster/clusterrolebinding-vault-pki-token-review-payments-vault-services.yaml',
      '_cluster/kustomization.yaml',
      'checkout/certificate-web.yaml',
      'checkout/issuer-vault-services.yaml',
      'checkout/kustomization.yaml',
      'checkout/prometheusrule-vault-services-vault-pki.yaml',
      'checkout/role-vault-services-approver-policy.yaml',
      'checkout/role-vault-services-vault-token.yaml',
      'checkout/rolebinding-vault-services-approver-policy.yaml',
      'checkout/rolebinding-vault-services-vault-token.yaml',
      'checkout/serviceaccount-vault-services.yaml',
      'kustomization.yaml',
      'payments/certificate-api.yaml',
      'payments/certificate-ledger.yaml',
      'payments/issuer-vault-services.yaml',
      'payments/kustomization.yaml',
      'payments/prometheusrule-vault-services-vault-pki.yaml',
      'payments/role-vault-services-approver-policy.yaml',
      'payments/role-vault-services-vault-token.yaml',
      'payments/rolebinding-vault-services-approver-policy.yaml',
      'payments/rolebinding-vault-services-vault-token.yaml',
      'payments/serviceaccount-vault-services.yaml',
    ].map((f) => `gitops/clusters/prod-eu/${f}`));
    const kustomization = YAML.parse(fs.readFileSync(path.join(fleet.out('tenants'), 'gitops/clusters/prod-eu/payments/kustomization.yaml'), 'utf8'));
    expect(kustomization).toEqual({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      resources: files.filter((f) => f.includes('/payments/') && !f.endsWith('kustomization.yaml')).map((f) => path.basename(f)),
    });
    const issuer = YAML.parse(fs.readFileSync(path.join(fleet.out('tenants'), 'gitops/clusters/prod-eu/payments/issuer-vault-services.yaml'), 'utf8'));
    expect(issuer.spec.vault.auth.kubernetes.mountPath).toBe('/v1/auth/kubernetes-prod-eu');
    expect(fleet.written.clusters).toEqual(CLUSTERS);
  });

  test('an Argo CD ApplicationSet deploys each cluster\'s folder to the cluster of that name', () => {
    const appSet = YAML.parse(fs.readFileSync(path.join(fleet.out('platform'), 'gitops/argocd/applicationset.yaml'), 'utf8'));
    expect(appSet.spec.generators).toEqual([{ list: { elements: CLUSTERS.map((cluster) => ({ cluster })) } }]);
    expect(appSet.spec.template.spec.source).toEqual({ repoURL: 'https://git.example/pki.git', targetRevision: 'main', path: 'platform/clusters/{{.cluster}}' });
    expect(appSet.spec.template.spec.destination).toEqual({ name: '{{.cluster}}' });
  });

  test('inventory.json: every tenant on every cluster with its Issuer, Vault role, policy, auth mount and role, certificates', () => {
    const inventory = JSON.parse(fs.readFileSync(path.join(fleet.out('tenants'), 'gitops/inventory.json'), 'utf8'));
    const placements = TEAMS.flatMap((t) => t.clusters.map((c) => `${c}/${t.namespace}`)).sort();
    expect(inventory.tenants.map((t: any) => `${t.cluster}/${t.namespace}`)).toEqual(placements);
    const payments = inventory.tenants.find((t: any) => t.cluster === 'prod-us' && t.namespace === 'payments');
    expect(payments).toMatchObject({
      issuer: 'vault-services',
      folder: 'clusters/prod-us/payments',
      vault: {
        pkiMount: 'pki-int-services',
        pkiRole: 'payments-vault-services',
        signPath: 'pki-int-services/sign/payments-vault-services',
        policy: 'pki-tenant-payments-vault-services',
        authMount: 'kubernetes-prod-us',
        authRole: 'payments-vault-services',
        audience: 'vault://payments/vault-services',
        serviceAccount: 'vault-services',
      },
      domains: ['payments.services.internal'],
      maxDuration: '24h',
    });
    expect(payments.certificates.map((c: any) => [c.name, c.dnsNames[0], c.duration, c.renewBefore]))
      .toEqual([['api', 'api.payments.services.internal', '24h', '8h'], ['ledger', 'ledger.payments.services.internal', '24h', '8h']]);
  });

  test('deterministic: the same programs write byte-identical trees', () => {
    const again = synthFleet();
    for (const program of ['platform', 'tenants']) {
      const [a, b] = [tree(fleet.out(program)), tree(again.out(program))];
      expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
      for (const [file, text] of a) if (!file.endsWith('manifest.json')) expect([file, b.get(file) === text]).toEqual([file, true]);
    }
  });

  test('one PKI role and policy per tenant, one auth role per cluster it is placed on, in tenant shards apart from the CAs', () => {
    const stacks = fs.readdirSync(path.join(fleet.out('tenants'), 'cdktf.out/stacks')).sort();
    expect(stacks).toEqual(['tenants-00', 'tenants-01']);
    const resources = stacks.map((s) => JSON.parse(fs.readFileSync(path.join(fleet.out('tenants'), 'cdktf.out/stacks', s, 'cdk.tf.json'), 'utf8')).resource);
    const roles = resources.flatMap((r) => Object.values(r.vault_pki_secret_backend_role ?? {})) as any[];
    const authRoles = resources.flatMap((r) => Object.values(r.vault_kubernetes_auth_backend_role ?? {})) as any[];
    expect(roles.map((r) => r.name).sort()).toEqual(TEAMS.map((t) => `${t.namespace}-vault-services`).sort());
    expect(authRoles.map((r) => `${r.backend}/${r.role_name}`).sort())
      .toEqual(TEAMS.flatMap((t) => t.clusters.map((c) => `kubernetes-${c}/${t.namespace}-vault-services`)).sort());
    // The tenant shards hold no CA: nothing of the hierarchy's state.
    for (const r of resources) expect(Object.keys(r).filter((t) => /mount|root|intermediate|issuer$/.test(t))).toEqual([]);
  });

  test('across the clusters, the consistency check finds nothing', () => {
    const findings = fleetFindings(fleet.dir);
    expect(findings.map((c) => c.cluster)).toEqual(CLUSTERS);
    for (const c of findings) expect([c.cluster, c.findings]).toEqual([c.cluster, []]);
    expect(findings.every((c) => c.objects > 10)).toBe(true);
  });

  describe('every cross-cluster or cross-program reference, broken, is caught', () => {
    /** A copy of the fleet's outputs with `mutate` applied to one file. */
    function breakFleet(file: string, mutate: (text: string) => string): { cluster: string; kind: string; object: string }[] {
      const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-broken-'));
      fs.cpSync(fleet.dir, copy, { recursive: true });
      const target = path.join(copy, file);
      const before = fs.readFileSync(target, 'utf8');
      const after = mutate(before);
      expect(after).not.toBe(before);
      fs.writeFileSync(target, after);
      return fleetFindings(copy).flatMap((c) => c.findings.map((f) => ({ cluster: c.cluster, kind: f.kind, object: f.object })));
    }
    const payments = 'tenants/gitops/clusters/prod-eu/payments/issuer-vault-services.yaml';
    const shardOf = (ns: string) => fleet.built.shards.stackFor(ns).node.id;
    const tfFile = (ns: string) => `tenants/cdktf.out/stacks/${shardOf(ns)}/cdk.tf.json`;

    test.each<[string, string, (t: string) => string, ConsistencyFindingKind]>([
      ["an Issuer logs in through another cluster's auth mount", payments,
        (t) => t.replace('/v1/auth/kubernetes-prod-eu', '/v1/auth/kubernetes-prod-us'), ConsistencyFindingKind.ISSUER_CLUSTER],
      ['the tenant program imported the intermediate under a wrong hierarchy name (no such mount)', payments,
        (t) => t.replace('path: pki-int-services/sign/', 'path: pki2-int-services/sign/'), ConsistencyFindingKind.ISSUER_PATH],
      ['the auth role for this cluster is missing from the tenant shard', tfFile('payments'),
        (t) => { const j = JSON.parse(t); for (const k of Object.keys(j.resource.vault_kubernetes_auth_backend_role)) if (k.includes('payments') && k.endsWith('prod-eu')) delete j.resource.vault_kubernetes_auth_backend_role[k]; return JSON.stringify(j); },
        ConsistencyFindingKind.ISSUER_AUTH_ROLE],
      ["a cluster's auth mount is gone from the platform", 'platform/cdktf.out/stacks/pki-platform/cdk.tf.json',
        (t) => { const j = JSON.parse(t); for (const [k, v] of Object.entries<any>(j.resource.vault_auth_backend)) if (v.path === 'kubernetes-prod-eu') delete j.resource.vault_auth_backend[k]; return JSON.stringify(j); },
        ConsistencyFindingKind.ISSUER_MOUNT_PATH],
      ["a cluster's trust bundle reads a ConfigMap the platform does not publish into that cluster", 'platform/cdktf.out/stacks/pki-platform/cdk.tf.json',
        (t) => { const j = JSON.parse(t); for (const [k, v] of Object.entries<any>(j.resource.kubernetes_config_map_v1)) if (v.provider.endsWith('staging')) delete j.resource.kubernetes_config_map_v1[k]; return JSON.stringify(j); },
        ConsistencyFindingKind.BUNDLE_SOURCE],
      ['another program claims an overlapping domain on the same mount', tfFile('search'),
        (t) => t.replace('"search.services.internal"', '"payments.services.internal"'), ConsistencyFindingKind.ROLE_DOMAINS],
      ['the auth role of one cluster binds the namespace of another tenant', tfFile('checkout'),
        (t) => t.replace('"bound_service_account_namespaces": [\n          "checkout"\n        ]', '"bound_service_account_namespaces": ["payments"]')
          .replace(/"bound_service_account_namespaces":\s*\[\s*"checkout"\s*\]/, '"bound_service_account_namespaces":["payments"]'),
        ConsistencyFindingKind.ISSUER_NAMESPACE],
    ])('%s', (_, file, mutate, kind) => {
      const findings = breakFleet(file, mutate);
      expect(findings.map((f) => f.kind)).toContain(kind);
    });
  });

  test('adding a tenant changes only its own shard: the hierarchy\'s and the other shard\'s Terraform stay byte-identical', () => {
    const before = synthFleet();
    const added = synthFleet([...TEAMS, { namespace: 'billing', clusters: ['prod-eu'], services: ['invoices'] }]);
    const stackJson = (f: { out: (p: string) => string }, program: string, stack: string) =>
      fs.readFileSync(path.join(f.out(program), 'cdktf.out/stacks', stack, 'cdk.tf.json'), 'utf8');
    expect(stackJson(added, 'platform', 'pki-platform')).toBe(stackJson(before, 'platform', 'pki-platform'));
    const billingShard = added.built.shards.stackFor('billing').node.id;
    for (const shard of ['tenants-00', 'tenants-01']) {
      expect([shard, stackJson(added, 'tenants', shard) === stackJson(before, 'tenants', shard)]).toEqual([shard, shard !== billingShard]);
    }
  });
});
