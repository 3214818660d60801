import { Testing as K8sTesting } from 'cdk8s';
import { ClusterChart, PkiCluster, TokenReviewer } from '../src';
import { errorOf, KUBERNETES_CA_PEM, newScope, newTenant, objects, resolveRef, resource, resources, synthBoth } from './util';

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
});
