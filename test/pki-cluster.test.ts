import { Testing as K8sTesting } from 'cdk8s';
import { App as TerraformApp, Testing as TfTesting } from 'cdktf';
import { ClusterChart, KubernetesAccess, PkiCluster, PkiHierarchy, StateBackend, TokenReviewer, TrustBundle, VaultPkiStack, VaultServerCa } from '../src';
import { EXAMPLE_CA_PEM, errorOf, KUBERNETES_CA_PEM, newScope, newTenant, objects, resolveRef, resource, resources, synthBoth } from './util';

describe('PkiCluster: one cluster\'s Kubernetes auth method in Vault', () => {
  test('mount + config: in-cluster defaults, the whole config sent explicitly, no reviewer JWT', () => {
    const scope = newScope();
    const { terraform } = synthBoth(scope);
    const auth = resource(terraform, 'vault_auth_backend');
    expect([auth.type, auth.path]).toEqual(['kubernetes', 'kubernetes-primary']);
    const config = resource(terraform, 'vault_kubernetes_auth_backend_config');
    expect(resolveRef(terraform, config.backend)).toBe('kubernetes-primary');
    expect(config.kubernetes_host).toBe('https://kubernetes.default.svc');
    // Vault replaces the whole config on every write and the provider sends disable_iss_validation=false when unset.
    expect([config.disable_iss_validation, config.disable_local_ca_jwt, config.token_reviewer_jwt]).toEqual([true, false, undefined]);
    expect([scope.cluster.authMountPath, scope.cluster.issuerMountPath]).toEqual(['kubernetes-primary', '/v1/auth/kubernetes-primary']);
  });

  test('one auth mount per cluster, each with its own API server and CA', () => {
    const scope = newScope();
    new PkiCluster(scope.vault, 'edge', { kubernetesHost: 'https://api.edge:6443', kubernetesCaCertificate: KUBERNETES_CA_PEM });
    const { terraform } = synthBoth(scope);
    expect(Object.values(resources(terraform, 'vault_auth_backend')).map((a: any) => a.path).sort()).toEqual(['kubernetes-edge', 'kubernetes-primary']);
    const edge = resource(terraform, 'vault_kubernetes_auth_backend_config', (c) => c.kubernetes_host === 'https://api.edge:6443');
    expect(edge.kubernetes_ca_cert).toBe(KUBERNETES_CA_PEM);
  });

  test('GIVEN Vault outside the cluster (clientToken) THEN each token reviews itself: API audience on the Issuer, auth-delegator for its account', () => {
    const scope = newScope({
      cluster: {
        kubernetesHost: 'https://api.prod.example:6443',
        kubernetesCaCertificate: KUBERNETES_CA_PEM,
        tokenReviewer: TokenReviewer.clientToken('https://kubernetes.default.svc.cluster.local'),
      },
    });
    newTenant(scope);
    const { manifests, terraform } = synthBoth(scope);
    const config = resource(terraform, 'vault_kubernetes_auth_backend_config');
    expect([config.kubernetes_host, config.disable_local_ca_jwt, config.disable_iss_validation, config.token_reviewer_jwt])
      .toEqual(['https://api.prod.example:6443', true, true, undefined]);
    expect(objects(manifests, 'Issuer')[0].spec.vault.auth.kubernetes.serviceAccountRef)
      .toEqual({ name: 'vault-services', audiences: ['https://kubernetes.default.svc.cluster.local'] });
    expect(objects(manifests, 'ClusterRoleBinding')).toEqual([{
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: expect.objectContaining({ name: 'vault-pki-token-review-payments-vault-services' }),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
      subjects: [{ kind: 'ServiceAccount', name: 'vault-services', namespace: 'payments' }],
    }]);
    expect(objects(manifests, 'ClusterRoleBinding')[0].metadata.namespace).toBeUndefined();
  });

  test('GIVEN Vault in the cluster THEN no Issuer token carries an API audience and nothing is bound to auth-delegator', () => {
    const scope = newScope();
    newTenant(scope);
    const { manifests } = synthBoth(scope);
    expect(objects(manifests, 'Issuer')[0].spec.vault.auth.kubernetes.serviceAccountRef).toEqual({ name: 'vault-services' });
    expect(objects(manifests, 'ClusterRoleBinding')).toEqual([]);
  });

  test('fails: Vault outside the cluster without the API server URL and CA, a bad audience, credentials, plain http, a taken name', () => {
    const outside = (props: any) => errorOf(() => newScope({ cluster: props }));
    const message = outside({ tokenReviewer: TokenReviewer.clientToken('https://kubernetes.default.svc.cluster.local') });
    expect(message).toMatch(/PkiCluster 'vault\/primary':[\s\S]*'kubernetesHost' is required with TokenReviewer.clientToken\(\)/);
    expect(message).toMatch(/'kubernetesCaCertificate' is required with TokenReviewer.clientToken\(\)/);
    expect(outside({ kubernetesHost: 'https://a:6443', kubernetesCaCertificate: KUBERNETES_CA_PEM, tokenReviewer: TokenReviewer.clientToken('a b') }))
      .toMatch(/'tokenReviewer' API audience \(a b\) must be one audience of the API server/);
    expect(outside({ kubernetesHost: 'https://u:p@a:6443' })).toMatch(/'kubernetesHost' must not carry credentials/);
    expect(outside({ kubernetesHost: 'http://api:6443' })).toMatch(/'kubernetesHost' \(http:\/\/api:6443\) must use https/);
    expect(outside({ name: 'Prod_EU' })).toMatch(/'name' \(Prod_EU\) must be an RFC 1123 label of at most 40 characters/);
    const scope = newScope();
    expect(errorOf(() => new PkiCluster(scope.vault, 'again', { name: 'primary' })))
      .toMatch(/'name' \(primary\) makes the auth mount 'kubernetes-primary', which the cluster at 'vault\/primary' already uses in this Vault/);
    expect(errorOf(() => new PkiCluster(scope.chart, 'misplaced'))).toMatch(/PkiCluster 'pki\/misplaced': must be created in a VaultPkiStack/);
  });

  test('an imported cluster derives the same auth mount; a ClusterChart needs a real cluster and its ruleLabels', () => {
    const scope = newScope();
    const imported = PkiCluster.fromAttributes(scope.tf, 'imported', { name: 'primary' });
    expect([imported.authMountPath, imported.issuerMountPath]).toEqual([scope.cluster.authMountPath, scope.cluster.issuerMountPath]);
    expect(errorOf(() => new ClusterChart(K8sTesting.app(), 'c', { cluster: { name: 'x' } as any, ruleLabels: {} })))
      .toMatch(/ClusterChart 'c': 'cluster' is missing or not made by this library/);
    expect(errorOf(() => new ClusterChart(K8sTesting.app(), 'c', { cluster: imported } as any)))
      .toMatch(/'ruleLabels' is missing; give the labels your Prometheus operator's ruleSelector selects/);
    expect(errorOf(() => PkiCluster.fromAttributes(scope.tf, 'bad', { name: '' }))).toMatch(/'name' \(\) must be an RFC 1123 label/);
  });

  describe('CA publication: the Kubernetes provider of each cluster names that cluster alone, in its own stack', () => {
    /** A Vault stack with clusters given by props, each with a TrustBundle (which publishes the CA certificates). */
    function clusters(props: Record<string, ConstructorParameters<typeof PkiCluster>[2]>) {
      const tf = TfTesting.app();
      const vault = new VaultPkiStack(tf, 'pki-platform', { address: 'https://vault.internal:8200', serverCa: VaultServerCa.fromPem(EXAMPLE_CA_PEM) });
      const pki = new PkiHierarchy(vault, 'pki', { root: { commonName: 'r' }, intermediates: [{ name: 'services', domains: ['services.internal'] }] });
      const built = Object.entries(props).map(([name, p]) => {
        const cluster = new PkiCluster(vault, name, p);
        new TrustBundle(new ClusterChart(K8sTesting.app(), name, { cluster, ruleLabels: {} }), 'ca', { hierarchy: pki, namespaceLabels: { a: 'b' } });
        return cluster;
      });
      return { tf, vault, built, stack: (c: PkiCluster) => JSON.parse(TfTesting.synth(c.caPublicationStack!, true)) };
    }
    const outside = (name: string, extra = {}) => ({
      kubernetesHost: `https://api.${name}.example:6443`,
      kubernetesCaCertificate: KUBERNETES_CA_PEM,
      tokenReviewer: TokenReviewer.clientToken('https://kubernetes.default.svc.cluster.local'),
      ...extra,
    });

    test('GIVEN an API server URL and CA THEN its publication stack pins both, with a per-cluster token variable; the CA stack has no Kubernetes provider', () => {
      const { vault, built, stack } = clusters({ 'prod-eu': outside('prod-eu'), 'prod-us': outside('prod-us') });
      expect(JSON.parse(TfTesting.synth(vault, true)).provider.kubernetes).toBeUndefined();
      const eu = stack(built[0]);
      // Before: one stack, provider { alias: 'kubernetes-prod-eu', config_context: 'prod-eu' } beside every CA (ignored
      // without a kubeconfig path by provider kubernetes 2.38.0, so it fell back to the in-cluster config or localhost).
      expect(eu.provider.kubernetes).toEqual([{
        alias: 'kubernetes-prod-eu',
        host: 'https://api.prod-eu.example:6443',
        cluster_ca_certificate: KUBERNETES_CA_PEM,
        token: '${var.kubernetes_token_prod_eu}',
      }]);
      expect(eu.variable).toEqual({ kubernetes_token_prod_eu: expect.objectContaining({ sensitive: true, type: 'string', nullable: false }) });
      expect(built.map((c) => c.caPublicationStack!.node.id)).toEqual(['pki-platform-ca-prod-eu', 'pki-platform-ca-prod-us']);
      expect(JSON.stringify(stack(built[1]))).not.toContain('prod-eu');
    });

    test('GIVEN an exec plugin or an explicit kubeconfig THEN the provider uses exactly that; Vault in the cluster defaults to a kubeconfig variable', () => {
      const exec = { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'aws', args: ['eks', 'get-token', '--cluster-name', 'eks'] };
      const { built, stack } = clusters({
        eks: outside('eks', { kubernetesAccess: KubernetesAccess.apiServer({ exec }) }),
        file: outside('file', { kubernetesAccess: KubernetesAccess.kubeconfig({ path: '~/.kube/file.yaml', context: 'admin@file' }) }),
        home: {},
      });
      expect(stack(built[0]).provider.kubernetes[0]).toEqual({
        alias: 'kubernetes-eks',
        host: 'https://api.eks.example:6443',
        cluster_ca_certificate: KUBERNETES_CA_PEM,
        exec: [{ api_version: 'client.authentication.k8s.io/v1beta1', command: 'aws', args: ['eks', 'get-token', '--cluster-name', 'eks'] }],
      });
      expect(stack(built[0]).variable).toBeUndefined();
      expect(stack(built[1]).provider.kubernetes[0]).toEqual({ alias: 'kubernetes-file', config_path: '~/.kube/file.yaml', config_context: 'admin@file' });
      expect(stack(built[2]).provider.kubernetes[0]).toEqual({ alias: 'kubernetes-home', config_path: '${var.kubeconfig_home}', config_context: 'home' });
    });

    test('the publication stack shares the Vault stack\'s backend (its own state), and is applied after it', () => {
      const tf = new TerraformApp({ outdir: '/tmp/unused' });
      const vault = new VaultPkiStack(tf, 'pki-platform', {
        address: 'https://vault.internal:8200',
        serverCa: VaultServerCa.fromPem(EXAMPLE_CA_PEM),
        backend: StateBackend.s3({ bucket: 'state', region: 'eu-central-1', dynamodbTable: 'locks' }),
      });
      const pki = new PkiHierarchy(vault, 'pki', { root: { commonName: 'r' }, intermediates: [{ name: 'services', domains: ['services.internal'] }] });
      const cluster = new PkiCluster(vault, 'prod-eu', outside('prod-eu'));
      new TrustBundle(new ClusterChart(K8sTesting.app(), 'c', { cluster, ruleLabels: {} }), 'ca', { hierarchy: pki, namespaceLabels: { a: 'b' } });
      const json = JSON.parse(TfTesting.synth(cluster.caPublicationStack!));
      expect(json.terraform.backend.s3.key).toBe('cdk8s-vault-pki/pki-platform-ca-prod-eu.tfstate');
      expect(cluster.caPublicationStack!.stateLocation).toBe('s3://state/cdk8s-vault-pki/pki-platform-ca-prod-eu.tfstate');
      expect(cluster.caPublicationStack!.dependencies).toEqual([vault]);
    });

    test('fails: a host that names no cluster, no CA, a bad exec, an empty kubeconfig path', () => {
      const one = (p: any) => errorOf(() => clusters({ x: p }));
      // Before: accepted; Terraform in a CI pod wrote into the runner's own cluster.
      expect(one(outside('x', { kubernetesAccess: KubernetesAccess.apiServer({ host: 'https://kubernetes.default.svc' }) })))
        .toMatch(/'kubernetesAccess' host \(https:\/\/kubernetes.default.svc\) names no cluster: from a CI pod it reaches the runner's own cluster/);
      expect(one({ kubernetesHost: 'https://api.x:6443', kubernetesAccess: KubernetesAccess.apiServer() }))
        .toMatch(/'kubernetesAccess' \(apiServer\) has no CA certificate for cluster 'x'/);
      expect(one(outside('x', { kubernetesAccess: KubernetesAccess.apiServer({ exec: { apiVersion: 'v1', command: 'aws' } }) })))
        .toMatch(/'kubernetesAccess' exec .* needs a 'command' and an 'apiVersion' of client.authentication.k8s.io/);
      expect(one(outside('x', { kubernetesAccess: KubernetesAccess.kubeconfig({ path: ' ' }) }))).toMatch(/kubeconfig 'path' is empty/);
    });

    test('fails: a second cluster with the default in-cluster host (Vault runs in one cluster at most), or its auth mount decommissioned', () => {
      const scope = newScope();
      // Before: accepted silently; both auth mounts reviewed every token against Vault's own cluster.
      expect(errorOf(() => new PkiCluster(scope.vault, 'second')))
        .toMatch(/'kubernetesHost' \(https:\/\/kubernetes.default.svc, the default: Vault running in this cluster\) is already the API server of the cluster at 'vault\/primary'/);
      expect(errorOf(() => new PkiCluster(scope.vault, 'third', { kubernetesHost: 'https://kubernetes.default.svc' }))).toMatch(/is already the API server/);
      expect(errorOf(() => newScope({ vault: { decommissionedMounts: ['kubernetes-primary'] } })))
        .toMatch(/'decommissionedMounts' lists 'kubernetes-primary', the auth mount of this cluster, which the program still has/);
    });
  });
});

