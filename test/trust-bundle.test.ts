import { Testing as K8sTesting } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { PkiHierarchy, TrustBundle, TrustBundleProps } from '../src';
import { errorOf, EXAMPLE_CA_PEM, EXAMPLE_SERVER_PEM, hierarchyOf, newHierarchy, newScope, objects, resource, synthBoth, TestScope } from './util';

const PEM = EXAMPLE_CA_PEM;

function newBundle(props: Partial<TrustBundleProps> = {}, scope: TestScope = newScope()) {
  const pki = hierarchyOf(scope);
  const bundle = new TrustBundle(scope.chart, 'internal-ca', { hierarchy: pki, namespaceLabels: { 'inject-ca': 'true' }, ...props });
  return { scope, pki, bundle };
}

describe('TrustBundle', () => {
  test('snapshot of the defaults (Bundle + the Terraform that publishes its source)', () => {
    const { scope } = newBundle();
    const { manifests, terraform, publication } = synthBoth(scope);
    expect(terraform.resource.kubernetes_config_map_v1).toBeUndefined();
    expect({ manifests, configMap: publication.resource.kubernetes_config_map_v1, provider: publication.provider.kubernetes, data: publication.data })
      .toMatchSnapshot();
  });

  test('H9: only this hierarchy\'s root, no public CAs, into a ConfigMap, in labelled namespaces only', () => {
    const { scope } = newBundle();
    const [bundle] = objects(synthBoth(scope).manifests, 'Bundle');
    expect(bundle.apiVersion).toBe('trust.cert-manager.io/v1alpha1');
    expect(bundle.metadata.namespace).toBeUndefined();
    expect(bundle.spec.sources).toEqual([{ configMap: { name: 'pki-ca-certificates', key: 'roots.crt' } }]);
    expect(JSON.stringify(bundle.spec.sources)).not.toMatch(/useDefaultCAs/);
    expect(bundle.spec.target).toEqual({ configMap: { key: 'ca-bundle.crt' }, namespaceSelector: { matchLabels: { 'inject-ca': 'true' } } });
  });

  test('H9: the source is wired from the Terraform side: the ConfigMap the Bundle names holds the Vault certificates', () => {
    const { scope, pki } = newBundle();
    const { manifests, publication } = synthBoth(scope);
    const [bundle] = objects(manifests, 'Bundle');
    const configMap = resource(publication, 'kubernetes_config_map_v1');
    expect(configMap.metadata).toMatchObject({ name: bundle.spec.sources[0].configMap.name, namespace: pki.caPublicationNamespace });
    // Read from Vault's named issuers at plan time, in the cluster's own stack (never the CA stack).
    expect(configMap.data[bundle.spec.sources[0].configMap.key]).toBe('${join("\\n", [data.vault_pki_secret_backend_issuer.pki-root_root.certificate])}');
    expect(configMap.data['root.crt']).toBe('${data.vault_pki_secret_backend_issuer.pki-root_root.certificate}');
    expect(configMap.data['intermediate-services.crt']).toBe('${data.vault_pki_secret_backend_issuer.pki-int-services_services.certificate}');
    expect(publication.data.vault_pki_secret_backend_issuer['pki-root_root']).toEqual({ backend: 'pki-root', issuer_ref: 'root' });
    expect(configMap.data['ca-certificates.crt']).toMatch(/^\$\{join\("\\n", \[data.vault_pki_secret_backend_issuer.pki-root_root.certificate, /);
    // Written into this cluster only: Vault in the cluster (no host given), so an explicit kubeconfig path (a variable
    // without a default) and the cluster's context; never a bare context.
    expect(configMap.provider).toBe('kubernetes.kubernetes-primary');
    expect(publication.provider.kubernetes).toEqual([{ alias: 'kubernetes-primary', config_context: 'primary', config_path: '${var.kubeconfig_primary}' }]);
    expect(publication.variable.kubeconfig_primary).toMatchObject({ type: 'string', nullable: false });
    expect(JSON.stringify(publication)).not.toMatch(/PRIVATE KEY|private_key"/);
  });

  test('migration: two hierarchies in one bundle; intermediates, extra PEMs and truststores on request', () => {
    const scope = newScope();
    const old = newHierarchy(scope);
    const next = new PkiHierarchy(scope.vault, 'pki2027', {
      name: 'pki2027',
      root: { commonName: 'acme-root-ca-2027' },
      intermediates: [{ name: 'services', domains: ['services.internal'] }],
    });
    new TrustBundle(scope.chart, 'internal-ca', {
      hierarchy: next,
      additionalHierarchies: [old],
      namespaceLabels: { 'inject-ca': 'true' },
      includeIntermediates: true,
      additionalCaCertificates: [PEM],
      includeDefaultCAs: true,
      jksKey: 'truststore.jks',
      pkcs12Key: 'truststore.p12',
      key: 'ca.pem',
    });
    const { manifests, publication } = synthBoth(scope);
    const [bundle] = objects(manifests, 'Bundle');
    expect(bundle.spec.sources).toEqual([
      { configMap: { name: 'pki2027-ca-certificates', key: 'roots.crt' } },
      { configMap: { name: 'pki2027-ca-certificates', key: 'intermediates.crt' } },
      { configMap: { name: 'pki-ca-certificates', key: 'roots.crt' } },
      { configMap: { name: 'pki-ca-certificates', key: 'intermediates.crt' } },
      { inLine: PEM },
      { useDefaultCAs: true },
    ]);
    expect(bundle.spec.target.configMap).toEqual({ key: 'ca.pem' });
    expect(bundle.spec.target.additionalFormats).toEqual({ jks: { key: 'truststore.jks' }, pkcs12: { key: 'truststore.p12' } });
    expect(Object.keys(publication.resource.kubernetes_config_map_v1).sort()).toEqual(['primary_pki2027_ca-certificates', 'primary_pki_ca-certificates']);
  });

  test('mount() puts the bundle read-only into a workload', () => {
    const { scope, bundle } = newBundle();
    const app = new kplus.Deployment(scope.chart, 'app', { metadata: { namespace: 'payments' }, containers: [{ image: 'nginx' }] });
    bundle.mount(app, { path: '/etc/ssl/internal' });
    const spec = objects(K8sTesting.synth(scope.chart), 'Deployment')[0].spec.template.spec;
    expect(spec.volumes).toEqual([{ name: 'trust-internal-ca', configMap: { name: 'internal-ca' } }]);
    expect(spec.containers[0].volumeMounts).toEqual([{ name: 'trust-internal-ca', mountPath: '/etc/ssl/internal', readOnly: true }]);
  });

  describe('errors', () => {
    const invalid = (props: Partial<TrustBundleProps>) => errorOf(() => newBundle(props));
    test('missing required props, a non-CA certificate, a second bundle of the same name: the library\'s errors', () => {
      const scope = newScope();
      const pki = newHierarchy(scope);
      expect(errorOf(() => new TrustBundle(scope.chart, 'a', { namespaceLabels: { x: 'y' } } as any)))
        .toMatch(/TrustBundle 'pki\/a': 'hierarchy' is missing; pass the PkiHierarchy/);
      expect(errorOf(() => new TrustBundle(scope.chart, 'b', { hierarchy: pki } as any))).toMatch(/'namespaceLabels' is missing/);
      expect(errorOf(() => new TrustBundle(scope.chart, 'c', { hierarchy: pki, namespaceLabels: { x: 'y' }, additionalCaCertificates: [EXAMPLE_SERVER_PEM] })))
        .toMatch(/'additionalCaCertificates\[0\]' \(CN=vault.internal\) is not a CA certificate/);
      new TrustBundle(scope.chart, 'internal-ca', { hierarchy: pki, namespaceLabels: { x: 'y' } });
      expect(errorOf(() => new TrustBundle(scope.chart, 'again', { hierarchy: pki, namespaceLabels: { x: 'y' }, bundleName: 'internal-ca' })))
        .toMatch(/'bundleName' \(internal-ca\) would emit Bundle 'internal-ca', which 'pki\/internal-ca' already emits in this cluster/);
    });

    test('no namespace selection, bad labels, bad names and keys', () => {
      expect(invalid({ namespaceLabels: {} })).toMatch(/'namespaceLabels' is empty; the bundle would reach every namespace/);
      expect(invalid({ namespaceLabels: { 'inject ca': 'true' } })).toMatch(/'namespaceLabels' key 'inject ca' is not a label key/);
      expect(invalid({ namespaceLabels: { 'inject-ca': 'yes please' } })).toMatch(/'namespaceLabels' value 'yes please' of 'inject-ca' is not a label value/);
      expect(invalid({ bundleName: 'Internal' })).toMatch(/'bundleName' \(Internal\) is not a valid Kubernetes name/);
      expect(invalid({ key: 'ca bundle' })).toMatch(/'ca bundle' is not a valid ConfigMap key/);
      expect(invalid({ jksKey: 'ca-bundle.crt' })).toMatch(/'key', 'jksKey' and 'pkcs12Key' must differ/);
    });
    test('key material or garbage as extra CA, a repeated hierarchy, hierarchies publishing into different namespaces', () => {
      expect(invalid({ additionalCaCertificates: ['hello'] })).toMatch(/'additionalCaCertificates\[0\]' is not PEM certificates only/);
      expect(invalid({ additionalCaCertificates: [`${PEM}-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n`] })).toMatch(/contains a private key/);
      const scope = newScope();
      const pki = newHierarchy(scope);
      expect(errorOf(() => newBundle({ additionalHierarchies: [pki] }, scope))).toMatch(/'additionalHierarchies' repeats a hierarchy \(pki, pki\)/);
      const other = new PkiHierarchy(scope.vault, 'other', {
        name: 'other',
        root: { commonName: 'o' },
        intermediates: [{ name: 'x', domains: ['x.internal'] }],
        caPublicationNamespace: 'trust',
      });
      expect(errorOf(() => new TrustBundle(scope.chart, 'b2', { hierarchy: pki, additionalHierarchies: [other], namespaceLabels: { a: 'b' } })))
        .toMatch(/publish their CA certificates into different namespaces \(cert-manager, trust\)/);
    });

    test('a bundle in a cluster of another program reads the ConfigMap the platform publishes (an imported hierarchy)', () => {
      const scope = newScope();
      const imported = PkiHierarchy.fromAttributes(scope.tf, 'imported', {
        root: { commonName: 'acme-root-ca' }, intermediates: [{ name: 'services', domains: ['services.internal'] }],
      });
      new TrustBundle(scope.chart, 'internal-ca', { hierarchy: imported, namespaceLabels: { x: 'y' } });
      const { manifests, terraform, publication } = synthBoth(scope);
      expect(objects(manifests, 'Bundle')[0].spec.sources).toEqual([{ configMap: { name: 'pki-ca-certificates', key: 'roots.crt' } }]);
      expect(terraform.resource?.kubernetes_config_map_v1).toBeUndefined(); // published by the program that holds the hierarchy
      expect(publication).toBeUndefined();
    });
  });
});
