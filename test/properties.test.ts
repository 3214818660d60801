import { Duration, Testing as K8sTesting } from 'cdk8s';
import { Testing as TfTesting } from 'cdktf';
import * as fc from 'fast-check';
import {
  ClusterChart, ConsistencyCheck, KeyAlgorithm, PkiAlerts, PkiCluster, PkiHierarchy, ShortLivedCertificate, Tenant, TokenReviewer, TrustBundle,
  VaultPkiStack, VaultServerCa,
} from '../src';
import { celAccepts, EXAMPLE_CA_PEM, KUBERNETES_CA_PEM, resolveRef } from './util';
import { PkiValidationError } from '../src/core/errors';

/* ------------------------------------------------------------------------------------------------
 * Scenario specs: plain data drawn by fast-check, turned into constructs by build().
 * ---------------------------------------------------------------------------------------------- */

interface CertSpec { name: string; host: string; durationH: number; renewBeforeM?: number }
interface TenantSpec {
  ns: string;
  intermediate: number;
  maxH: number;
  key: KeyAlgorithm;
  wildcards: boolean;
  spiffe: boolean;
  serverAuth: boolean;
  /** Which of the clusters the tenant is placed on (bit mask, at least one). */
  placement: number;
  certs: CertSpec[];
}
interface ScenarioSpec {
  name: string;
  rootDays: number;
  rootKey: KeyAlgorithm;
  intermediates: { name: string; domain: string; days: number; key: KeyAlgorithm }[];
  tenants: TenantSpec[];
}

const label = fc.stringMatching(/^[a-z][a-z0-9]{0,9}$/);
const leafKey = fc.constantFrom(
  KeyAlgorithm.ECDSA_P256, KeyAlgorithm.ECDSA_P384, KeyAlgorithm.rsa(2048), KeyAlgorithm.rsa(3072), KeyAlgorithm.ED25519);

const certSpec = (maxH: number) => fc.record({
  name: label,
  host: label,
  durationH: fc.integer({ min: 1, max: maxH }),
  renewBeforeM: fc.option(fc.integer({ min: 5, max: 59 }), { nil: undefined }),
});

const scenarioSpec: fc.Arbitrary<ScenarioSpec> = fc.record({
  name: label.filter((n) => n.length <= 20),
  rootDays: fc.integer({ min: 400, max: 3650 }),
  rootKey: fc.constantFrom(KeyAlgorithm.ECDSA_P384, KeyAlgorithm.ECDSA_P521, KeyAlgorithm.rsa(4096)),
  intermediateNames: fc.uniqueArray(label, { minLength: 1, maxLength: 3 }),
}).chain(({ name, rootDays, rootKey, intermediateNames }) => fc.record({
  name: fc.constant(name),
  rootDays: fc.constant(rootDays),
  rootKey: fc.constant(rootKey),
  intermediates: fc.tuple(...intermediateNames.map((n, i) => fc.record({
    name: fc.constant(n),
    domain: fc.constant(`${n}${i}.internal`),
    days: fc.integer({ min: 30, max: rootDays - 1 }),
    key: fc.constantFrom(KeyAlgorithm.ECDSA_P256, KeyAlgorithm.ECDSA_P384, KeyAlgorithm.rsa(2048)),
  }))),
  tenants: fc.uniqueArray(fc.record({
    ns: label,
    intermediate: fc.nat({ max: intermediateNames.length - 1 }),
    maxH: fc.integer({ min: 1, max: 48 }),
    key: leafKey,
    wildcards: fc.boolean(),
    spiffe: fc.boolean(),
    serverAuth: fc.boolean(),
    placement: fc.integer({ min: 1, max: 3 }),
  }).chain((t) => fc.uniqueArray(certSpec(t.maxH), { maxLength: 2, selector: (c) => c.name }).map((certs): TenantSpec => ({ ...t, certs }))),
  { maxLength: 5, selector: (t) => t.ns }),
}));

/** Two clusters; every tenant placed on one or both (its `placement` bits), its certificates on each. */
const CLUSTERS = ['east', 'west'];

function build(spec: ScenarioSpec) {
  const tf = TfTesting.app();
  const k8s = K8sTesting.app();
  const vault = new VaultPkiStack(tf, 'vault', { address: 'https://vault.internal:8200', serverCa: VaultServerCa.fromPem(EXAMPLE_CA_PEM) });
  const pki = new PkiHierarchy(vault, 'pki', {
    name: spec.name,
    root: { commonName: `${spec.name} root`, ttl: Duration.days(spec.rootDays), keyAlgorithm: spec.rootKey },
    intermediates: spec.intermediates.map((i) => ({ name: i.name, domains: [i.domain], ttl: Duration.days(i.days), keyAlgorithm: i.key })),
  });
  // Vault runs in the first cluster; the second is reached by its API server's URL, and its tokens review themselves.
  const clusterOf = (name: string, i: number) => new PkiCluster(vault, name, i === 0 ? {} : {
    kubernetesHost: `https://api.${name}.internal:6443`,
    kubernetesCaCertificate: KUBERNETES_CA_PEM,
    tokenReviewer: TokenReviewer.clientToken('https://kubernetes.default.svc.cluster.local'),
  });
  const charts = CLUSTERS.map((name, i) =>
    new ClusterChart(k8s, name, { cluster: clusterOf(name, i), ruleLabels: { release: 'kube-prometheus-stack' } }));
  spec.tenants.forEach((t, i) => {
    const intermediate = pki.intermediates[t.intermediate];
    const domain = `${t.ns}.${intermediate.domains[0]}`;
    const tenant = new Tenant(vault, `tenant-${i}`, {
      intermediate,
      namespace: t.ns,
      domains: [domain],
      maxDuration: Duration.hours(t.maxH),
      keyAlgorithm: t.key,
      allowWildcards: t.wildcards,
      spiffeTrustDomain: t.spiffe ? 'cluster.local' : undefined,
      spiffeServiceAccounts: t.spiffe ? ['app'] : undefined,
      serverAuth: t.serverAuth,
      clientAuth: true,
    });
    // placement 1: the first cluster, 2: the second, 3: both.
    charts.filter((_, k) => (k === 0 ? t.placement !== 2 : t.placement !== 1)).forEach((chart) => {
      const issuer = tenant.placeOn(chart);
      for (const c of t.certs) {
        new ShortLivedCertificate(chart, `cert-${i}-${c.name}`, {
          issuer,
          certificateName: c.name,
          dnsNames: [`${c.host}.${domain}`],
          duration: Duration.hours(c.durationH),
          renewBefore: c.renewBeforeM !== undefined ? Duration.minutes(c.renewBeforeM) : undefined,
        });
      }
    });
  });
  for (const chart of charts) {
    new TrustBundle(chart, 'bundle', { hierarchy: pki, namespaceLabels: { 'inject-ca': 'true' } });
    new PkiAlerts(chart, 'alerts', { hierarchy: pki });
  }
  const clusters = charts.map((chart) => ({ name: chart.cluster.name, manifests: K8sTesting.synth(chart) }));
  // The CA publication of each cluster is its own stack.
  const publications = charts.map((c) => JSON.parse(TfTesting.synth((c.cluster as PkiCluster).caPublicationStack!, true)));
  return { clusters, manifests: clusters.flatMap((c) => c.manifests), terraform: JSON.parse(TfTesting.synth(vault, true)), publications };
}

/* ------------------------------------------------------------------------------------------------
 * The invariants: H1..H12, read off the outputs alone.
 * ---------------------------------------------------------------------------------------------- */

const all = (tf: any, type: string): any[] => Object.values(tf.resource?.[type] ?? {});
const kinds = (m: any[], kind: string) => m.filter((o) => o.kind === kind);
const goSeconds = (d: string) => [...d.matchAll(/(\d+)([hms])/g)].reduce((s, [, n, u]) => s + Number(n) * ({ h: 3600, m: 60, s: 1 } as any)[u], 0);
const within = (name: string, domain: string) => name === domain || name.endsWith(`.${domain}`);
/** The resource a `${type.id.attr}` reference points to. */
const referenced = (tf: any, value: string) => {
  const [, type, id] = /^\$\{([a-z0-9_]+)\.([^.]+)\.[a-z_]+\}$/.exec(value)!;
  return tf.resource[type][id];
};

function assertInvariants({ clusters, manifests, terraform, publications }: {
  clusters: { name: string; manifests: any[] }[]; manifests: any[]; terraform: any; publications: any[];
}) {
  const ref = (v: any) => resolveRef(terraform, v);
  const roots = all(terraform, 'vault_pki_secret_backend_root_cert');
  const rootMounts = new Set(roots.map((r) => ref(r.backend)));
  // H1
  expect(roots).toHaveLength(1);
  for (const r of roots) {
    expect(r.type).toBe('internal');
    expect(r.key_type === 'ec' ? r.key_bits >= 384 : r.key_type === 'rsa' && r.key_bits >= 4096).toBe(true);
    expect(Number(r.ttl)).toBeLessThanOrEqual(3650 * 86400);
  }
  const roles = all(terraform, 'vault_pki_secret_backend_role');
  for (const role of roles) expect(rootMounts.has(ref(role.backend))).toBe(false);
  // H2
  const signed = all(terraform, 'vault_pki_secret_backend_root_sign_intermediate');
  const permitted = new Map<string, string[]>();
  for (const s of signed) {
    expect(s.max_path_length).toBe(0);
    expect(s.permitted_dns_domains.length).toBeGreaterThan(0);
    expect(Number(s.ttl)).toBeLessThan(Number(roots[0].ttl));
    const csr = referenced(terraform, s.csr);
    expect(csr.type).toBe('internal');
    permitted.set(ref(csr.backend), s.permitted_dns_domains);
  }
  for (const mount of all(terraform, 'vault_mount').filter((m) => m.type === 'pki')) {
    const onMount = (r: any) => ref(r.backend) === mount.path;
    expect(all(terraform, 'vault_pki_secret_backend_config_urls').filter(onMount)).toHaveLength(1);
    expect(all(terraform, 'vault_pki_secret_backend_config_auto_tidy').filter(onMount).map((t) => t.enabled)).toEqual([true]);
  }
  // H3
  for (const role of roles) {
    expect(Number(role.max_ttl)).toBeLessThanOrEqual(48 * 3600);
    for (const flag of ['allow_localhost', 'allow_glob_domains', 'allow_any_name', 'allow_bare_domains', 'generate_lease', 'require_cn']) expect(role[flag]).toBe(false);
    expect([role.no_store, role.enforce_hostnames]).toEqual([true, true]);
    expect(role.key_usage).toEqual(role.key_type === 'rsa' ? ['DigitalSignature', 'KeyEncipherment'] : ['DigitalSignature']);
    // Signs with the mount's default issuer, set (before the role) to an issuer of the same mount that may issue.
    expect(role.issuer_ref).toBe('default');
    const defaults = all(terraform, 'vault_pki_secret_backend_config_issuers').filter((x) => ref(x.backend) === ref(role.backend));
    expect(defaults).toHaveLength(1);
    expect(defaults[0].default_follows_latest_issuer).toBe(false);
    const active = referenced(terraform, defaults[0].default);
    expect(ref(active.backend)).toBe(ref(role.backend));
    expect(active.usage.split(',')).toContain('issuing-certificates');
    expect(role.depends_on).toEqual([expect.stringMatching(/^vault_pki_secret_backend_config_issuers\./)]);
    for (const d of role.allowed_domains) expect(permitted.get(ref(role.backend))!.some((p) => within(d, p))).toBe(true);
  }
  // H4 + H5
  for (const authRole of all(terraform, 'vault_kubernetes_auth_backend_role')) {
    expect(authRole.bound_service_account_names).toHaveLength(1);
    expect(authRole.bound_service_account_namespaces).toHaveLength(1);
    expect(authRole.audience).toBe(`vault://${authRole.bound_service_account_namespaces[0]}/${authRole.bound_service_account_names[0]}`);
    expect(authRole.token_ttl).toBeLessThanOrEqual(600);
    expect(authRole.token_no_default_policy).toBe(true);
    expect(authRole.token_policies).toHaveLength(1);
    const policy = all(terraform, 'vault_policy').find((p) => p.name === ref(authRole.token_policies[0]));
    const role = roles.find((r) => r.name === authRole.role_name)!;
    expect(policy.policy.replace(/#.*$/gm, '').trim()).toBe(`path "${ref(role.backend)}/sign/${role.name}" {\n  capabilities = ["create", "update"]\n}`);
  }
  // H6 (and every cross reference): the consistency check finds nothing
  expect(kinds(manifests, 'ClusterIssuer')).toEqual([]);
  for (const c of clusters) expect(ConsistencyCheck.check(c.manifests, [terraform, ...publications], { cluster: c.name })).toEqual([]);
  // One PKI role and policy per tenant, one auth role per placement on a cluster's own mount.
  expect(all(terraform, 'vault_kubernetes_auth_backend_role')).toHaveLength(kinds(manifests, 'Issuer').length);
  for (const sa of kinds(manifests, 'ServiceAccount')) expect(sa.automountServiceAccountToken).toBe(false);
  for (const r of kinds(manifests, 'Role').filter((x) => x.rules[0].resources[0] === 'serviceaccounts/token')) {
    expect(r.rules).toEqual([{ apiGroups: [''], resources: ['serviceaccounts/token'], resourceNames: [expect.any(String)], verbs: ['create'] }]);
  }
  // H7
  const policies = kinds(manifests, 'CertificateRequestPolicy');
  expect(policies).toHaveLength(kinds(manifests, 'Issuer').length);
  for (const p of policies) {
    expect(goSeconds(p.spec.constraints.maxDuration)).toBeLessThanOrEqual(48 * 3600);
    expect(p.spec.constraints.privateKey.algorithm).toBeDefined();
    expect(p.spec.allowed.isCA).toBe(false);
    expect(p.spec.selector.namespace.matchNames).toHaveLength(1);
    expect(p.spec.allowed.usages).not.toContain('cert sign');
  }
  expect(kinds(manifests, 'ClusterRole')).toEqual([]);
  // H8
  for (const c of kinds(manifests, 'Certificate')) {
    const p = policies.find((x) => x.spec.selector.issuerRef.name === c.spec.issuerRef.name
      && x.spec.selector.namespace.matchNames[0] === c.metadata.namespace)!;
    expect(p).toBeDefined();
    const duration = goSeconds(c.spec.duration);
    expect(duration).toBeLessThanOrEqual(goSeconds(p.spec.constraints.maxDuration));
    expect(goSeconds(c.spec.renewBefore)).toBeLessThan(duration);
    expect(c.spec.privateKey.rotationPolicy).toBe('Always');
    expect(c.spec.privateKey.algorithm).toBe(p.spec.constraints.privateKey.algorithm);
    expect(c.spec.isCA).toBe(false);
    for (const u of c.spec.usages) expect(p.spec.allowed.usages).toContain(u);
    for (const n of c.spec.dnsNames ?? []) {
      // approver-policy's CEL rules, evaluated, accept every name the library emits.
      for (const v of p.spec.allowed.dnsNames.validations ?? []) expect([n, celAccepts(v.rule, n)]).toEqual([n, true]);
      expect(p.spec.allowed.dnsNames.values.some((v: string) => n.endsWith(v.slice(1)))).toBe(true);
    }
  }
  // H9
  for (const b of kinds(manifests, 'Bundle')) {
    expect(JSON.stringify(b.spec.sources)).not.toContain('useDefaultCAs');
    expect(Object.keys(b.spec.target.namespaceSelector.matchLabels).length).toBeGreaterThan(0);
    expect(all(terraform, 'kubernetes_config_map_v1')).toEqual([]);
    const published = publications.flatMap((p) => all(p, 'kubernetes_config_map_v1')).map((cm) => cm.metadata.name);
    for (const s of b.spec.sources) expect(published).toContain(s.configMap.name);
  }
  // H10
  const rules = kinds(manifests, 'PrometheusRule').flatMap((r) => r.spec.groups.flatMap((g: any) => g.rules));
  expect(rules.filter((r) => r.record).length).toBe(kinds(manifests, 'Issuer').length);
  // H12
  expect(JSON.stringify({ manifests, terraform })).not.toMatch(/PRIVATE KEY|private_key"/);
}

/* ------------------------------------------------------------------------------------------------
 * Invalid input: one rule broken at a time; the library's own error, never a TypeError.
 * ---------------------------------------------------------------------------------------------- */

type Mutation = [string, (spec: ScenarioSpec) => ScenarioSpec | undefined];
const tenantOf = (spec: ScenarioSpec) => spec.tenants.find((t) => t.certs.length > 0);
const mutateFirstCert = (spec: ScenarioSpec, f: (c: CertSpec, t: TenantSpec) => Partial<CertSpec> | undefined): ScenarioSpec | undefined => {
  const t = tenantOf(spec);
  if (!t) return undefined;
  const patch = f(t.certs[0], t);
  return patch && { ...spec, tenants: spec.tenants.map((x) => (x === t ? { ...t, certs: [{ ...t.certs[0], ...patch }, ...t.certs.slice(1)] } : x)) };
};
const withTenant = (spec: ScenarioSpec, patch: Partial<TenantSpec>): ScenarioSpec | undefined =>
  spec.tenants.length === 0 ? undefined : { ...spec, tenants: [{ ...spec.tenants[0], ...patch }, ...spec.tenants.slice(1)] };

const mutations = (garbage: string, n: number): Mutation[] => [
  ['root TTL over 10y', (s) => ({ ...s, rootDays: 3651 + n })],
  ['intermediate TTL >= root TTL', (s) => ({ ...s, intermediates: [{ ...s.intermediates[0], days: s.rootDays + n }, ...s.intermediates.slice(1)] })],
  ['weak root key', (s) => ({ ...s, rootKey: KeyAlgorithm.ECDSA_P256 })],
  ['weak leaf key', (s) => withTenant(s, { key: KeyAlgorithm.rsa(1024 + (n % 1000)) })],
  ['garbage hierarchy name', (s) => ({ ...s, name: garbage })],
  ['garbage intermediate name', (s) => ({ ...s, intermediates: [{ ...s.intermediates[0], name: garbage }, ...s.intermediates.slice(1)] })],
  ['garbage intermediate domain', (s) => ({ ...s, intermediates: [{ ...s.intermediates[0], domain: garbage }, ...s.intermediates.slice(1)] })],
  ['duplicate intermediate', (s) => ({ ...s, intermediates: [...s.intermediates, s.intermediates[0]] })],
  ['garbage namespace', (s) => withTenant(s, { ns: garbage })],
  ['tenant max over 48h', (s) => withTenant(s, { maxH: 49 + n })],
  ['duplicate tenant', (s) => (s.tenants.length === 0 ? undefined : { ...s, tenants: [...s.tenants, { ...s.tenants[0], certs: [] }] })],
  ['duration above the tenant max', (s) => mutateFirstCert(s, (_, t) => ({ durationH: t.maxH + 1 + n }))],
  ['renewBefore >= duration', (s) => mutateFirstCert(s, (c) => ({ renewBeforeM: c.durationH * 60 + n }))],
  ['garbage host name', (s) => mutateFirstCert(s, () => ({ host: garbage }))],
  ['wildcard without opt-in', (s) => mutateFirstCert(s, (_, t) => (t.wildcards ? undefined : { host: '*' }))],
];

function buildWithForeignName(spec: ScenarioSpec) {
  const tf = TfTesting.app();
  const vault = new VaultPkiStack(tf, 'vault', { address: 'https://vault.internal:8200', serverCa: VaultServerCa.fromPem(EXAMPLE_CA_PEM) });
  const pki = new PkiHierarchy(vault, 'pki', { root: { commonName: 'r' }, intermediates: spec.intermediates.map((i) => ({ name: i.name, domains: [i.domain] })) });
  const chart = new ClusterChart(K8sTesting.app(), 'c', { cluster: new PkiCluster(vault, 'c'), ruleLabels: {} });
  const issuer = new Tenant(vault, 't', { intermediate: pki.intermediates[0], namespace: 't', domains: [`t.${spec.intermediates[0].domain}`] }).placeOn(chart);
  new ShortLivedCertificate(chart, 'c', { issuer, dnsNames: ['svc.elsewhere.example'] });
}

describe('properties (fast-check)', () => {
  const VALID_RUNS = 120;
  const INVALID_RUNS = 400;

  test(`every synthesized output holds H1..H12 (${VALID_RUNS} random valid programs)`, () => {
    fc.assert(fc.property(scenarioSpec, (spec) => {
      assertInvariants(build(spec));
    }), { numRuns: VALID_RUNS });
  });

  test('the same program synthesizes byte-identical output (determinism)', () => {
    fc.assert(fc.property(scenarioSpec, (spec) => {
      expect(JSON.stringify(build(spec))).toBe(JSON.stringify(build(spec)));
    }), { numRuns: 20 });
  });

  test(`invalid input throws the library's own error, never a TypeError or a silent output (${INVALID_RUNS} random mutations)`, () => {
    const garbage = fc.oneof(fc.string(), fc.stringMatching(/^[A-Z_ .*-]{1,70}$/), fc.constant(''), fc.constant('a'.repeat(64)));
    fc.assert(fc.property(scenarioSpec, garbage, fc.nat({ max: 1000 }), fc.nat(), (spec, junk, n, pick) => {
      const candidates = mutations(junk, n).map(([name, m]) => [name, m(spec)] as const).filter(([, s]) => s !== undefined);
      const [name, broken] = candidates[pick % candidates.length];
      let error: unknown;
      try {
        build(broken!);
      } catch (e) {
        error = e;
      }
      if (error === undefined) {
        // Only garbage that happens to be valid may pass, and then the output must still hold every invariant.
        expect(name).toMatch(/garbage/);
        assertInvariants(build(broken!));
        return;
      }
      expect([name, (error as Error).constructor.name]).toEqual([name, 'PkiValidationError']);
      expect(error).toBeInstanceOf(PkiValidationError);
      expect((error as Error).message).toMatch(/^(PkiHierarchy|Tenant|TenantIssuer|ShortLivedCertificate|IntermediateCa|RootCa|VaultPkiStack|PkiCluster|ClusterChart) '/);
    }), { numRuns: INVALID_RUNS });
  });

  test('a name outside the tenant\'s domains is refused whatever the hierarchy', () => {
    fc.assert(fc.property(scenarioSpec, (spec) => {
      expect(() => buildWithForeignName(spec)).toThrow(PkiValidationError);
    }), { numRuns: 30 });
  });
});
