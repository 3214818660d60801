import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Lazy } from 'cdk8s';
import { App as TerraformApp } from 'cdktf';
import { Construct } from 'constructs';
import * as YAML from 'yaml';
import { buildPlatform, CLUSTERS, PlatformOptions, TEAM_PROGRAMS } from '../examples/fleet/platform/program';
import { buildTeam, Team } from '../examples/fleet/team';
import { TEAMS as SEARCH_TEAMS } from '../examples/fleet/team-search/program';
import { TEAMS as SHOP_TEAMS } from '../examples/fleet/team-shop/program';
import {
  ClusterChart, ConsistencyCheck, ConsistencyFindingKind, FleetContract, GitOpsOutput, IntermediateCa, PkiCluster, ShortLivedCertificate,
  StateBackend, Tenant, TenantStacks, TokenReviewer, VaultServerCa,
} from '../src';
import { errorOf } from './util';

const REPO = 'https://git.example/pki-gitops.git';
const VAULT_CA = fs.readFileSync(path.join(__dirname, '..', 'examples', 'fleet', 'vault-ca.pem'), 'utf8');

/** A team program: its name and how it builds its tenants (by default, from the contract as examples/fleet does). */
interface TeamProgram {
  readonly program: string;
  readonly build?: (k8s: Construct, tf: Construct, contract: FleetContract) => void;
  /** Write the GitOps tree without the contract (a program that ignores it: only checkFleet can catch it). */
  readonly withoutContract?: boolean;
}

const SHOP: TeamProgram = { program: 'team-shop', build: (k8s, tf, c) => buildTeam(k8s, tf, c, SHOP_TEAMS) };
const SEARCH: TeamProgram = { program: 'team-search', build: (k8s, tf, c) => buildTeam(k8s, tf, c, SEARCH_TEAMS) };

/** Synthesizes the platform into `<dir>/platform` (gitops/ with the contract, cdktf.out/), the way its main.ts does. */
function synthPlatform(dir: string, options: PlatformOptions = {}) {
  const out = path.join(dir, 'platform');
  fs.mkdirSync(out, { recursive: true });
  const k8s = new App();
  const tf = new TerraformApp({ outdir: path.join(out, 'cdktf.out') });
  const built = buildPlatform(k8s, tf, options);
  GitOpsOutput.write(k8s, { outdir: path.join(out, 'gitops'), contract: built.contract, argoCd: { repoUrl: REPO, path: 'platform' } });
  tf.synth();
  return built;
}

/** Synthesizes a team program into `<dir>/<program>`, reading the platform's contract from disk as its main.ts does. */
function synthTeam(dir: string, team: TeamProgram) {
  const out = path.join(dir, team.program);
  fs.mkdirSync(out, { recursive: true });
  const contract = FleetContract.fromFile(path.join(dir, 'platform', 'gitops', 'fleet-contract.json'), { program: team.program });
  const k8s = new App();
  const tf = new TerraformApp({ outdir: path.join(out, 'cdktf.out') });
  team.build!(k8s, tf, contract);
  const written = GitOpsOutput.write(k8s, {
    outdir: path.join(out, 'gitops'),
    program: team.program,
    contract: team.withoutContract ? undefined : contract,
    argoCd: { repoUrl: REPO, path: team.program },
  });
  tf.synth();
  return { contract, written };
}

/** The three programs of examples/fleet, each into its own folder. */
function synthFleet(teams: TeamProgram[] = [SHOP, SEARCH], platform: PlatformOptions = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-'));
  const built = synthPlatform(dir, platform);
  const written = new Map(teams.map((t) => [t.program, synthTeam(dir, t).written]));
  return { dir, built, written, programs: ['platform', ...teams.map((t) => t.program)] };
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

function fleetFindings(dir: string, programs: string[]) {
  return ConsistencyCheck.checkFleet(programs.map((p) => path.join(dir, p, 'gitops')), programs.map((p) => path.join(dir, p, 'cdktf.out')));
}

/** Every finding of the fleet, as `<kind> <object>`. */
function kinds(dir: string, programs: string[]): string[] {
  return fleetFindings(dir, programs).flatMap((c) => c.findings.map((f) => `${f.kind} ${f.object}`));
}

const stackJson = (dir: string, program: string, stack: string) =>
  JSON.parse(fs.readFileSync(path.join(dir, program, 'cdktf.out', 'stacks', stack, 'cdk.tf.json'), 'utf8'));

describe('a fleet: the platform program and two team programs, three clusters, one contract', () => {
  const fleet = synthFleet();

  test('the platform writes a versioned, deterministic contract: Vault, hierarchy, clusters, stacks, what each team program owns', () => {
    const text = fs.readFileSync(path.join(fleet.dir, 'platform/gitops/fleet-contract.json'), 'utf8');
    const contract = JSON.parse(text);
    expect(Object.keys(contract).slice(0, 3)).toEqual(['apiVersion', 'kind', 'generatedBy']);
    expect([contract.apiVersion, contract.kind]).toEqual(['vault-pki.cdk8s.io/v1alpha1', 'FleetContract']);
    expect(contract.vault).toEqual({ address: 'https://vault.acme.internal:8200', serverCa: { pem: VAULT_CA } });
    expect(contract.platform).toEqual({
      program: 'platform',
      applicationSet: 'vault-pki-platform',
      stacks: [
        { name: 'pki-platform', state: 's3://acme-terraform-state/vault-pki/pki-platform.tfstate' },
        ...CLUSTERS.map((c) => ({ name: `pki-platform-ca-${c}`, state: `s3://acme-terraform-state/vault-pki/pki-platform-ca-${c}.tfstate`, cluster: c })),
      ],
    });
    expect(contract.hierarchies[0].intermediates.map((i: any) => [i.name, i.mountPath, i.domains])).toEqual([
      ['ingress', 'pki-int-ingress', ['ingress.external']], ['mtls', 'pki-int-mtls', ['mtls.internal']], ['services', 'pki-int-services', ['services.internal']],
    ]);
    expect(contract.clusters.map((c: any) => [c.name, c.authMount, c.tokenReviewer, c.namespaceLabels])).toEqual(CLUSTERS.map((c) => [
      c, `kubernetes-${c}`, { kind: 'clientToken', apiAudience: 'https://kubernetes.default.svc.cluster.local' }, { 'inject-ca': 'true' },
    ]));
    expect(contract.programs).toEqual([
      { name: 'team-search', namespaces: ['catalog', 'search'], stackPrefix: 'team-search', applicationSet: 'vault-pki-team-search' },
      { name: 'team-shop', namespaces: ['checkout', 'payments'], stackPrefix: 'team-shop', applicationSet: 'vault-pki-team-shop' },
    ]);
    expect(fs.readFileSync(path.join(synthFleet().dir, 'platform/gitops/fleet-contract.json'), 'utf8')).toBe(text);
  });

  test('GitOps: every tenant namespace is a Namespace object labelled for the bundles, every custom resource skips the dry run', () => {
    const files = [...tree(path.join(fleet.dir, 'team-shop')).keys()].filter((f) => f.startsWith('gitops/clusters/prod-eu/')).sort();
    expect(files.filter((f) => f.includes('/_cluster/'))).toEqual([
      '_cluster/certificaterequestpolicy-checkout-vault-services.yaml', '_cluster/certificaterequestpolicy-payments-vault-services.yaml',
      '_cluster/clusterrolebinding-vault-pki-token-review-checkout-vault-services.yaml', '_cluster/clusterrolebinding-vault-pki-token-review-payments-vault-services.yaml',
      '_cluster/kustomization.yaml', '_cluster/namespace-checkout.yaml', '_cluster/namespace-payments.yaml',
    ].map((f) => `gitops/clusters/prod-eu/${f}`));
    const read = (f: string) => YAML.parse(fs.readFileSync(path.join(fleet.dir, 'team-shop/gitops/clusters/prod-eu', f), 'utf8'));
    expect(read('_cluster/namespace-payments.yaml')).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: 'payments',
        labels: { 'inject-ca': 'true', 'app.kubernetes.io/managed-by': 'cdk8s-vault-pki', 'vault-pki.cdk8s.io/program': 'team-shop' },
        annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false' },
      },
    });
    const issuer = read('payments/issuer-vault-services.yaml');
    expect(issuer.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' });
    expect(issuer.spec.vault.auth.kubernetes.mountPath).toBe('/v1/auth/kubernetes-prod-eu');
    expect(read('payments/serviceaccount-vault-services.yaml').metadata.annotations).toBeUndefined();
    expect(fleet.written.get('team-shop')!.clusters).toEqual(CLUSTERS);
  });

  test('one ApplicationSet per program, named after it, generating Applications named per program and cluster', () => {
    for (const program of fleet.programs) {
      const appSet = YAML.parse(fs.readFileSync(path.join(fleet.dir, program, 'gitops/argocd/applicationset.yaml'), 'utf8'));
      expect(appSet.metadata.name).toBe(`vault-pki-${program}`);
      expect(appSet.metadata.labels['vault-pki.cdk8s.io/program']).toBe(program);
      expect(appSet.spec.template.metadata.name).toBe(`vault-pki-${program}-{{.cluster}}`);
      expect(appSet.spec.template.spec.source).toEqual({ repoURL: REPO, targetRevision: 'main', path: `${program}/clusters/{{.cluster}}` });
      expect(appSet.spec.template.spec.syncPolicy.retry.limit).toBe(-1);
    }
  });

  test('inventory.json names the program and every tenant placement', () => {
    const inventory = JSON.parse(fs.readFileSync(path.join(fleet.dir, 'team-shop/gitops/inventory.json'), 'utf8'));
    expect(inventory.program).toBe('team-shop');
    expect(inventory.tenants.map((t: any) => `${t.cluster}/${t.namespace}`)).toEqual(SHOP_TEAMS.flatMap((t) => t.clusters.map((c) => `${c}/${t.namespace}`)).sort());
    expect(inventory.tenants.find((t: any) => t.cluster === 'prod-us' && t.namespace === 'payments').vault).toMatchObject({
      address: 'https://vault.acme.internal:8200',
      terraformStack: expect.stringMatching(/^team-shop-0[01]$/),
      pkiMount: 'pki-int-services',
      authMount: 'kubernetes-prod-us',
      audience: 'vault://payments/vault-services',
    });
  });

  test('Terraform: the CA stack talks to no cluster; one publication stack per cluster with its own provider; each team in its own shards', () => {
    const platform = stackJson(fleet.dir, 'platform', 'pki-platform');
    expect(platform.provider.kubernetes).toBeUndefined();
    expect(platform.resource.kubernetes_config_map_v1).toBeUndefined();
    for (const c of CLUSTERS) {
      const pub = stackJson(fleet.dir, 'platform', `pki-platform-ca-${c}`);
      expect(pub.provider.kubernetes).toHaveLength(1);
      expect(pub.provider.kubernetes[0]).toMatchObject({ alias: `kubernetes-${c}`, host: `https://api.${c}.acme.internal:6443` });
      expect(pub.provider.kubernetes[0].cluster_ca_certificate).toMatch(/BEGIN CERTIFICATE/);
      expect(pub.resource.vault_mount).toBeUndefined();
    }
    for (const program of ['team-shop', 'team-search']) {
      expect(fs.readdirSync(path.join(fleet.dir, program, 'cdktf.out/stacks')).sort()).toEqual([`${program}-00`, `${program}-01`]);
      expect(stackJson(fleet.dir, program, `${program}-00`).terraform.backend.s3.key).toBe(`vault-pki/${program}-00.tfstate`);
    }
  });

  test('deterministic: the same programs write byte-identical trees', () => {
    const again = synthFleet();
    for (const program of fleet.programs) {
      const [a, b] = [tree(path.join(fleet.dir, program)), tree(path.join(again.dir, program))];
      expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
      for (const [file, text] of a) if (!file.endsWith('manifest.json')) expect([file, b.get(file) === text]).toEqual([file, true]);
    }
  });

  test('checkFleet over every program\'s Terraform, GitOps tree and the contract finds nothing', () => {
    const findings = fleetFindings(fleet.dir, fleet.programs);
    expect(findings.map((c) => c.cluster)).toEqual(['', ...CLUSTERS]);
    for (const c of findings) expect([c.cluster, c.findings]).toEqual([c.cluster, []]);
    expect(findings.every((c) => c.objects > 10)).toBe(true);
  });

  test('adding a tenant changes only its own shard: the platform\'s Terraform and the other shard stay byte-identical', () => {
    const teams = [{ ...TEAM_PROGRAMS[0], namespaces: [...TEAM_PROGRAMS[0].namespaces, 'billing'] }, TEAM_PROGRAMS[1]];
    const billing: Team = { namespace: 'billing', clusters: ['prod-eu'], services: ['invoices'] };
    const added = synthFleet([{ program: 'team-shop', build: (k8s, tf, c) => buildTeam(k8s, tf, c, [...SHOP_TEAMS, billing]) }, SEARCH], { teams });
    const text = (f: { dir: string }, program: string, stack: string) => JSON.stringify(stackJson(f.dir, program, stack));
    for (const stack of ['pki-platform', ...CLUSTERS.map((c) => `pki-platform-ca-${c}`)]) expect(text(added, 'platform', stack)).toBe(text(fleet, 'platform', stack));
    const shards = ['team-shop-00', 'team-shop-01'];
    const billingShard = shards.find((s) => text(added, 'team-shop', s).includes('billing-vault-services'));
    for (const shard of shards) expect([shard, text(added, 'team-shop', shard) === text(fleet, 'team-shop', shard)]).toEqual([shard, shard !== billingShard]);
  });
});

describe('every cross-program break is caught: at synth where the contract says so, by checkFleet across the outputs', () => {
  const fleet = synthFleet();

  /** A copy of the fleet's outputs with `mutate` applied to one file; the findings. */
  function breakFile(file: string, mutate: (text: string) => string): string[] {
    const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-broken-'));
    fs.cpSync(fleet.dir, copy, { recursive: true });
    const target = path.join(copy, file);
    const before = fs.readFileSync(target, 'utf8');
    const after = mutate(before);
    expect(after).not.toBe(before);
    if (after === '') fs.rmSync(target);
    else fs.writeFileSync(target, after);
    return kinds(copy, fleet.programs);
  }
  const shard = (ns: string) => fs.readdirSync(path.join(fleet.dir, 'team-shop/cdktf.out/stacks'))
    .find((s) => JSON.stringify(stackJson(fleet.dir, 'team-shop', s)).includes(`"${ns}-vault-services"`))!;
  const tfFile = (ns: string) => `team-shop/cdktf.out/stacks/${shard(ns)}/cdk.tf.json`;
  const payments = 'team-shop/gitops/clusters/prod-eu/payments/issuer-vault-services.yaml';
  const json = (edit: (j: any) => void) => (t: string) => {
    const j = JSON.parse(t);
    edit(j);
    return JSON.stringify(j);
  };

  describe('the programs destroy each other (ApplicationSets, roles, state)', () => {
    test('a second team program with the same name (ApplicationSet and Applications): refused at synth, gitops-owner in checkFleet', () => {
      // At synth: the contract cannot be read under another program's... own name twice, and GitOpsOutput names the set after the program.
      expect(errorOf(() => FleetContract.describePlatform({ ...platformProps(), teams: [...TEAM_PROGRAMS, { program: 'team-shop', namespaces: ['other'] }] })))
        .toMatch(/'teams\[2\].program' \(team-shop\) is already teams\[0\]'s name/);
      // A tree that writes another program's ApplicationSet (before issue 16 every tree wrote argocd/vault-pki).
      const found = breakFile('team-search/gitops/argocd/applicationset.yaml', (t) => t.replace(/vault-pki-team-search/g, 'vault-pki-team-shop'));
      expect(found).toContain('gitops-owner ApplicationSet argocd/vault-pki-team-shop');
      expect(found).toContain('gitops-owner Application argocd/vault-pki-team-shop-prod-eu');
      expect(found).toContain('fleet-contract ApplicationSet argocd/vault-pki-team-shop');
    });

    test('two programs own the same namespace (Vault role, policy, auth roles): refused at synth, vault-owner in checkFleet', () => {
      const intruder: Team = { namespace: 'payments', clusters: ['prod-eu'], services: [] };
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-'));
      synthPlatform(dir);
      expect(errorOf(() => synthTeam(dir, { program: 'team-search', build: (k8s, tf, c) => buildTeam(k8s, tf, c, [...SEARCH_TEAMS, intruder]) })))
        .toMatch(/TenantStacks 'team-search': namespace 'payments' belongs to program 'team-shop' in the fleet contract, not to 'team-search'/);
      // A program that ignores the contract (hand-made shards): only checkFleet sees it.
      synthTeam(dir, SHOP);
      synthTeam(dir, { program: 'team-search', withoutContract: true, build: (k8s, tf) => handTyped(k8s, tf, 'team-search', [intruder]) });
      const found = kinds(dir, ['platform', 'team-shop', 'team-search']);
      expect(found).toContain('vault-owner Vault PKI role pki-int-services/payments-vault-services');
      expect(found).toContain('vault-owner Vault policy pki-tenant-payments-vault-services');
      expect(found).toContain('vault-owner Vault auth role kubernetes-prod-eu/payments-vault-services');
      expect(found).toContain('duplicate-object Issuer payments/vault-services');
      expect(found).toContain('fleet-contract Issuer payments/vault-services');
    });

    test('a shard prefix reused (two programs\' shards share stack ids and state keys): refused at synth, state-owner in checkFleet', () => {
      expect(errorOf(() => FleetContract.describePlatform({
        ...platformProps(), teams: [TEAM_PROGRAMS[0], { ...TEAM_PROGRAMS[1], stackPrefix: 'team-shop' }],
      }))).toMatch(/'teams\[1\].stackPrefix' \(team-shop\) is already the stack prefix of 'team-shop'/);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-'));
      synthPlatform(dir);
      expect(errorOf(() => synthTeam(dir, {
        program: 'team-search',
        build: (_k8s, tf, c) => new TenantStacks(tf, 'team-shop', { shards: 2, address: c.vaultAddress, serverCa: c.serverCa, contract: c }),
      }))).toMatch(/TenantStacks 'team-shop': the id 'team-shop' is not the stack prefix the fleet contract gives program 'team-search' \('team-search'\)/);
      synthTeam(dir, SHOP);
      synthTeam(dir, { program: 'team-search', withoutContract: true, build: (k8s, tf) => handTyped(k8s, tf, 'team-shop', SEARCH_TEAMS) });
      const found = kinds(dir, ['platform', 'team-shop', 'team-search']);
      expect(found).toContain('state-owner Stack team-shop-00');
      expect(found).toContain('state-owner Stack team-shop-01');
      expect(found.filter((f) => f.startsWith('fleet-contract Vault auth role'))).not.toEqual([]);
    });
  });

  describe('importers that disagree with the platform (every Issuer of the team would fail)', () => {
    test('an intermediate with other domains: refused with the contract, role-constraints in checkFleet without it', () => {
      const c = FleetContract.fromFile(path.join(fleet.dir, 'platform/gitops/fleet-contract.json'), { program: 'team-shop' });
      expect(errorOf(() => IntermediateCa.fromAttributes(new App(), 'i', { hierarchyName: 'pki', name: 'services', domains: ['svc.internal'], contract: c })))
        .toMatch(/'domains' \(svc.internal\) are not the domains of intermediate 'services' in the fleet contract \(services.internal\)/);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-'));
      synthPlatform(dir);
      synthTeam(dir, SHOP);
      synthTeam(dir, { program: 'team-search', withoutContract: true, build: (k8s, tf) => handTyped(k8s, tf, 'team-search', SEARCH_TEAMS, { domain: 'svc.internal' }) });
      const found = kinds(dir, ['platform', 'team-shop', 'team-search']);
      expect(found).toContain('role-constraints Issuer search/vault-services');
      expect(found).toContain('fleet-contract Vault PKI role pki-int-services/search-vault-services');
    });

    test('a cluster imported with the in-cluster token reviewer where the auth mount expects client tokens', () => {
      const c = FleetContract.fromFile(path.join(fleet.dir, 'platform/gitops/fleet-contract.json'), { program: 'team-shop' });
      expect(errorOf(() => PkiCluster.fromAttributes(new App(), 'c', { name: 'staging', contract: c })))
        .toMatch(/'tokenReviewer' \(TokenReviewer.vaultServiceAccount\(\)\) is not the fleet contract's for cluster 'staging' \(TokenReviewer.clientToken/);
      expect(errorOf(() => c.cluster(new App(), 'c', 'qa'))).toMatch(/has no cluster 'qa'/);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-'));
      synthPlatform(dir);
      synthTeam(dir, SHOP);
      synthTeam(dir, { program: 'team-search', withoutContract: true, build: (k8s, tf) => handTyped(k8s, tf, 'team-search', SEARCH_TEAMS, { reviewer: 'vault' }) });
      const found = kinds(dir, ['platform', 'team-shop', 'team-search']);
      expect(found).toContain('issuer-token-review Issuer search/vault-services');
      expect(found).toContain('fleet-contract Issuer search/vault-services');
    });

    test('a Vault address or namespace that is not the platform\'s', () => {
      const c = FleetContract.fromFile(path.join(fleet.dir, 'platform/gitops/fleet-contract.json'), { program: 'team-search' });
      expect(errorOf(() => new TenantStacks(new TerraformApp(), 'team-search', {
        shards: 1, address: 'https://vault.other:8200', vaultNamespace: 'admin', serverCa: c.serverCa, contract: c,
      }))).toMatch(/'address' \(https:\/\/vault.other:8200\) is not the fleet's Vault[\s\S]*'vaultNamespace' \(admin\) is not the fleet's \(none\)/);
      for (const [what, vault] of [['address', { address: 'https://vault.other:8200' }], ['namespace', { vaultNamespace: 'admin' }]] as const) {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-'));
        synthPlatform(dir);
        synthTeam(dir, SHOP);
        synthTeam(dir, { program: 'team-search', withoutContract: true, build: (k8s, tf) => handTyped(k8s, tf, 'team-search', SEARCH_TEAMS, { vault }) });
        const found = kinds(dir, ['platform', 'team-shop', 'team-search']);
        // ISSUER_SERVER compares only the role's own stack, which carries the same wrong value: it sees nothing.
        expect([what, found.filter((f) => f.startsWith('issuer-server'))]).toEqual([what, []]);
        expect([what, found.includes('issuer-vault Issuer search/vault-services')]).toEqual([what, true]);
        expect([what, found.includes('fleet-contract Stack team-search-00')]).toEqual([what, true]);
      }
    });

    test('a GitOps tree written with the contract checks every placement (here: a hand-typed cluster)', () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-'));
      synthPlatform(dir);
      expect(errorOf(() => synthTeam(dir, { program: 'team-search', build: (k8s, tf) => handTyped(k8s, tf, 'team-search', SEARCH_TEAMS, { reviewer: 'vault' }) })))
        .toMatch(/GitOpsOutput '.*':[\s\S]*cluster 'staging': 'tokenReviewer' \(TokenReviewer.vaultServiceAccount\(\)\) is not the fleet contract's/);
    });

    test('the other importers come from the contract too: the hierarchy (for bundles and alerts), the Vault, the labels', () => {
      const c = FleetContract.fromFile(path.join(fleet.dir, 'platform/gitops/fleet-contract.json'), { program: 'team-search' });
      const pki = c.hierarchy(new App(), 'pki');
      expect([pki.name, pki.rootCommonName, pki.intermediates.map((i) => `${i.name}:${i.mountPath}:${i.domains}`)]).toEqual([
        'pki', 'acme-root-ca', ['ingress:pki-int-ingress:ingress.external', 'mtls:pki-int-mtls:mtls.internal', 'services:pki-int-services:services.internal'],
      ]);
      expect([c.vaultAddress, c.vaultNamespace, c.serverCa.pem, c.platformProgram, c.isPlatform]).toEqual(['https://vault.acme.internal:8200', undefined, VAULT_CA, 'platform', false]);
      expect([c.namespaces, c.stackPrefix, c.applicationSetName, c.namespaceLabels('staging'), c.ruleLabels('staging')])
        .toEqual([['catalog', 'search'], 'team-search', 'vault-pki-team-search', { 'inject-ca': 'true' }, { release: 'kube-prometheus-stack' }]);
      expect(errorOf(() => c.write(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-')), 'x.json')))).toMatch(/only the platform program 'platform' writes it/);
    });

    test('a program the contract does not declare, a contract of another format', () => {
      const file = path.join(fleet.dir, 'platform/gitops/fleet-contract.json');
      expect(errorOf(() => FleetContract.fromFile(file, { program: 'team-rogue' })))
        .toMatch(/'program' \(team-rogue\) is not a program of the fleet contract \(programs: team-search, team-shop\)/);
      const parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
      expect(errorOf(() => FleetContract.fromJson({ ...parsed, apiVersion: 'vault-pki.cdk8s.io/v2' }, { program: 'team-shop' })))
        .toMatch(/'apiVersion' \(vault-pki.cdk8s.io\/v2\) is not 'vault-pki.cdk8s.io\/v1alpha1'/);
    });
  });

  describe('checkFleet reads what Argo CD and Terraform would do with the outputs', () => {
    test.each<[string, string, (t: string) => string, ConsistencyFindingKind]>([
      ["an Issuer logs in through another cluster's auth mount", payments,
        (t) => t.replace('/v1/auth/kubernetes-prod-eu', '/v1/auth/kubernetes-prod-us'), ConsistencyFindingKind.ISSUER_CLUSTER],
      ['the auth role for this cluster is missing from the tenant shard', tfFile('payments'),
        json((j) => { for (const k of Object.keys(j.resource.vault_kubernetes_auth_backend_role)) if (k.includes('payments') && k.endsWith('prod-eu')) delete j.resource.vault_kubernetes_auth_backend_role[k]; }),
        ConsistencyFindingKind.ISSUER_AUTH_ROLE],
      ["a cluster's trust bundle reads a ConfigMap the platform does not publish into that cluster", 'platform/cdktf.out/stacks/pki-platform-ca-staging/cdk.tf.json',
        json((j) => { delete j.resource.kubernetes_config_map_v1; }), ConsistencyFindingKind.BUNDLE_SOURCE],
      ['a bare config_context provider (ignored without a kubeconfig path: the in-cluster fallback)', 'platform/cdktf.out/stacks/pki-platform-ca-staging/cdk.tf.json',
        json((j) => { j.provider.kubernetes = [{ alias: 'kubernetes-staging', config_context: 'staging' }]; }), ConsistencyFindingKind.KUBERNETES_PROVIDER],
      ['the CA stack writes into a cluster', 'platform/cdktf.out/stacks/pki-platform/cdk.tf.json',
        json((j) => { j.provider.kubernetes = [{ alias: 'kubernetes-staging', host: 'https://api.staging:6443', cluster_ca_certificate: 'x' }]; }),
        ConsistencyFindingKind.KUBERNETES_PROVIDER],
      ['a tenant namespace is not in the tree', 'team-shop/gitops/clusters/prod-eu/_cluster/namespace-payments.yaml', () => '', ConsistencyFindingKind.TENANT_NAMESPACE],
      ['a tenant namespace lacks the label the bundle selects', 'team-shop/gitops/clusters/prod-eu/_cluster/namespace-payments.yaml',
        (t) => t.replace('inject-ca: "true"', 'inject-ca: "false"'), ConsistencyFindingKind.TENANT_NAMESPACE],
      ['a custom resource without SkipDryRunOnMissingResource', payments,
        (t) => t.replace('SkipDryRunOnMissingResource=true', 'Validate=false'), ConsistencyFindingKind.GITOPS_SYNC],
      ["a cluster's auth mount is gone from the platform", 'platform/cdktf.out/stacks/pki-platform/cdk.tf.json',
        json((j) => { for (const [k, v] of Object.entries<any>(j.resource.vault_auth_backend)) if (v.path === 'kubernetes-prod-eu') delete j.resource.vault_auth_backend[k]; }),
        ConsistencyFindingKind.FLEET_CONTRACT],
      ['the platform reuses a team\'s state key', 'platform/cdktf.out/stacks/pki-platform-ca-staging/cdk.tf.json',
        json((j) => { j.terraform.backend.s3.key = 'vault-pki/team-shop-00.tfstate'; }), ConsistencyFindingKind.STATE_OWNER],
    ])('%s', (_, file, mutate, kind) => {
      expect(breakFile(file, mutate).map((f) => f.split(' ')[0])).toContain(kind);
    });
  });
});

describe('a cluster or an intermediate removed from the platform', () => {
  test('refused at synth while the previous contract holds it; accepted once its mount is decommissioned', () => {
    const fleet = synthFleet();
    const without = CLUSTERS.filter((c) => c !== 'staging');
    // The team programs place tenants on staging: the platform must not drop it unannounced.
    expect(errorOf(() => synthPlatform(fleet.dir, { clusters: without })))
      .toMatch(/the previous contract holds cluster 'staging' \(auth mount 'kubernetes-staging'\), which this program drops[\s\S]*'decommissionedMounts'/);
    // The refused write changed nothing.
    expect(JSON.parse(fs.readFileSync(path.join(fleet.dir, 'platform/gitops/fleet-contract.json'), 'utf8')).clusters.map((c: any) => c.name)).toEqual(CLUSTERS);
    const before = new Map(without.map((c) => [c, JSON.stringify(stackJson(fleet.dir, 'platform', `pki-platform-ca-${c}`))]));
    synthPlatform(fleet.dir, { clusters: without, decommissionedMounts: ['kubernetes-staging'] });
    const contract = JSON.parse(fs.readFileSync(path.join(fleet.dir, 'platform/gitops/fleet-contract.json'), 'utf8'));
    expect(contract.clusters.map((c: any) => c.name)).toEqual(without);
    // The other clusters' publication is untouched; the CA stack never had a provider for staging to lose.
    for (const c of without) expect(JSON.stringify(stackJson(fleet.dir, 'platform', `pki-platform-ca-${c}`))).toBe(before.get(c));
    expect(stackJson(fleet.dir, 'platform', 'pki-platform').provider.kubernetes).toBeUndefined();
    expect(JSON.parse(fs.readFileSync(path.join(fleet.dir, 'platform/cdktf.out/manifest.json'), 'utf8')).stacks['pki-platform-ca-staging']).toBeUndefined();
    // A team program still placing tenants on staging now fails at synth.
    expect(errorOf(() => synthTeam(fleet.dir, SHOP))).toMatch(/has no cluster 'staging'/);
    // Its old tree, read with the new contract, is a finding.
    expect(kinds(fleet.dir, ['platform', 'team-shop'])).toContain('fleet-contract Cluster staging');
  });

  test('an intermediate: refused without decommissioning its mount', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-'));
    synthPlatform(dir);
    const k8s = new App();
    const tf = new TerraformApp({ outdir: path.join(dir, 'x') });
    const built = buildPlatform(k8s, tf);
    const previous = FleetContract._readPrevious(path.join(dir, 'platform/gitops/fleet-contract.json'))!;
    const dropped = { ...previous, hierarchies: previous.hierarchies.map((h) => ({ ...h, intermediates: [...h.intermediates, { ...h.intermediates[0], name: 'legacy', mountPath: 'pki-int-legacy' }] })) };
    expect(built.contract._removalProblems(dropped)).toEqual([expect.stringMatching(/holds intermediate 'legacy' of hierarchy 'pki' \(mount 'pki-int-legacy'\), which this program drops/)]);
  });
});

describe('GitOpsOutput: paths from validated names only, the whole tree planned before anything is replaced', () => {
  /** A program with one cluster chart; `add` puts objects into it. */
  function program(add: (chart: ClusterChart) => void) {
    const k8s = new App();
    const tf = new TerraformApp({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'tf-')) });
    const { clusters } = buildPlatform(k8s, tf, { clusters: ['prod-eu'] });
    add(clusters[0].chart);
    return k8s;
  }
  /** A tree written once by the platform, then `k8s` written over it: its error, and whether the old tree survived. */
  function over(k8s: App, props: Partial<Parameters<typeof GitOpsOutput.write>[1]> = {}) {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-'));
    GitOpsOutput.write(program(() => undefined), { outdir, program: 'platform' });
    const before = tree(outdir);
    const error = errorOf(() => GitOpsOutput.write(k8s, { outdir, program: 'platform', ...props }));
    const after = tree(outdir);
    return { error, intact: JSON.stringify([...after]) === JSON.stringify([...before]), outdir };
  }

  test('fails: a namespace or name that would leave the tree or collide on a case-insensitive checkout; the old tree stays', () => {
    const dotdot = over(program((chart) => new ApiObject(chart, 'x', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: '..' } })));
    // Before: written to clusters/prod-eu/../configmap-x.yaml, outside the cluster's folder.
    expect(dotdot.error).toMatch(/ConfigMap \.\.\/x: the namespace '\.\.' is not an RFC 1123 label/);
    expect(dotdot.intact).toBe(true);
    const upper = over(program((chart) => new ApiObject(chart, 'y', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Pki-Alerts', namespace: 'monitoring' } })));
    expect(upper.error).toMatch(/the name 'Pki-Alerts' is not an RFC 1123 subdomain/);
    expect(upper.intact).toBe(true);
  });

  test('fails while writing (a value that cannot be rendered): nothing of the old tree was deleted, no staging folder is left', () => {
    const broken = over(program((chart) => new ApiObject(chart, 'z', {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'z', namespace: 'monitoring' }, data: { k: Lazy.any({ produce: () => { throw new Error('cannot render'); } }) },
    })));
    // Before: the old tree was deleted first, then the write crashed half-way.
    expect(broken.error).toMatch(/cannot render/);
    expect(broken.intact).toBe(true);
    expect(fs.readdirSync(broken.outdir).filter((f) => f.startsWith('.gitops-staging'))).toEqual([]);
  });

  test('a cluster chart without objects is written as an empty folder (before: a crash after deleting the old tree)', () => {
    const k8s = new App();
    const tf = new TerraformApp({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'tf-')) });
    const { vault } = buildPlatform(new App(), tf, { clusters: ['prod-eu'] });
    new ClusterChart(k8s, 'empty', { cluster: new PkiCluster(vault, 'empty', { kubernetesHost: 'https://api.empty:6443', kubernetesCaCertificate: VAULT_CA }), ruleLabels: {} });
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-'));
    const written = GitOpsOutput.write(k8s, { outdir, program: 'platform' });
    expect(written.files).toEqual(['clusters/empty/kustomization.yaml', 'inventory.json']);
    expect(YAML.parse(fs.readFileSync(path.join(outdir, 'clusters/empty/kustomization.yaml'), 'utf8')).resources).toEqual([]);
  });

  test('fails: a repoUrl with credentials, a path that leaves the repository, an ApplicationSet without a program name', () => {
    const k8s = program(() => undefined);
    const w = (props: any) => over(k8s, props).error;
    // Before: https://user:token@... was copied into the ApplicationSet and every Application.
    expect(w({ argoCd: { repoUrl: 'https://ci:s3cret@git.example/pki.git' } })).toMatch(/'argoCd.repoUrl' carries credentials \('user:password@'\)/);
    expect(w({ argoCd: { repoUrl: 'https://git.example/pki.git?private_token=abc' } })).toMatch(/must not carry a query or fragment/);
    expect(w({ argoCd: { repoUrl: REPO, path: '../other' } })).toMatch(/'argoCd.path' \(..\/other\) must be a relative folder/);
    expect(w({ program: undefined, argoCd: { repoUrl: REPO } })).toMatch(/'program' is missing; name the program/);
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'gitops-'));
    GitOpsOutput.write(k8s, { outdir, program: 'platform', argoCd: { repoUrl: 'git@git.example:org/pki.git' } });
    expect(fs.readFileSync(path.join(outdir, 'argocd/applicationset.yaml'), 'utf8')).toContain('repoURL: git@git.example:org/pki.git');
  });
});

/** The platform props of examples/fleet, for contract-level checks. */
function platformProps() {
  const { vault, pki, clusters } = buildPlatform(new App(), new TerraformApp({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'tf-')) }));
  return { vault, hierarchies: [pki], clusters: clusters.map((c) => c.chart) };
}

/**
 * A team program that ignores the contract and types the platform's values by hand, as before issue 16
 * (IntermediateCa.fromAttributes, PkiCluster.fromAttributes, TenantStacks): `wrong` makes one of them disagree.
 */
function handTyped(k8s: Construct, tf: Construct, stackId: string, teams: Team[],
  wrong: { domain?: string; reviewer?: 'vault'; vault?: { address?: string; vaultNamespace?: string } } = {}) {
  const services = IntermediateCa.fromAttributes(tf, 'services', { hierarchyName: 'pki', name: 'services', domains: [wrong.domain ?? 'services.internal'] });
  const reviewer = wrong.reviewer === 'vault' ? TokenReviewer.vaultServiceAccount() : TokenReviewer.clientToken('https://kubernetes.default.svc.cluster.local');
  const charts = new Map<string, ClusterChart>();
  const chartOf = (name: string) => {
    if (!charts.has(name)) {
      charts.set(name, new ClusterChart(k8s, name, {
        cluster: PkiCluster.fromAttributes(tf, `cluster-${name}`, { name, tokenReviewer: reviewer }), ruleLabels: { release: 'kube-prometheus-stack' },
      }));
    }
    return charts.get(name)!;
  };
  const shards = new TenantStacks(tf, stackId, {
    shards: 2,
    address: wrong.vault?.address ?? 'https://vault.acme.internal:8200',
    vaultNamespace: wrong.vault?.vaultNamespace,
    serverCa: VaultServerCa.fromPem(VAULT_CA),
    backend: StateBackend.s3({ bucket: 'acme-terraform-state', region: 'eu-central-1', dynamodbTable: 'terraform-locks', keyPrefix: 'vault-pki' }),
  });
  for (const team of teams) {
    const domain = wrong.domain ? `${team.namespace}.${wrong.domain}` : `${team.namespace}.services.internal`;
    const tenant = new Tenant(shards.stackFor(team.namespace), team.namespace, {
      intermediate: services, namespace: team.namespace, domains: [domain],
    });
    for (const c of team.clusters) {
      const issuer = tenant.placeOn(chartOf(c));
      for (const s of team.services) new ShortLivedCertificate(chartOf(c), `${team.namespace}-${s}`, { issuer, certificateName: s, dnsNames: [`${s}.${domain}`] });
    }
  }
}
