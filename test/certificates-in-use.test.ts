// Certificates in use: a workload of the chart that reads a rotating certificate through subPath or an environment
// variable is refused at synth (it would never see a renewal); mount() never does; the reload strategy per workload;
// and the Probes of what endpoints really serve, with their alerts.
import { App, Duration, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { errorOf, newScope, newTenant, objects } from './util';
import { CertificateProbes, CertificateReload, InMemoryCertificate, ProbeTarget, ShortLivedCertificate } from '../src';
import { renewalBlindReads } from '../src/delivery/renewal-visibility';

function scopeWithCertificate() {
  const scope = newScope();
  const issuer = newTenant(scope);
  const certificate = new ShortLivedCertificate(scope.chart, 'api-tls', { issuer, dnsNames: ['api.payments.services.internal'] });
  const deployment = new kplus.Deployment(scope.chart, 'api', {
    metadata: { name: 'api', namespace: 'payments' },
    containers: [{ name: 'api', image: 'registry.example.com/api:1' }],
  });
  return { scope, certificate, deployment };
}

/** Runs the App's synth-time validations (what `app.synth()` does before writing). */
function validate(scope: { chart: any }): void {
  const app = scope.chart.node.root as App;
  const errors = app.node.findAll().flatMap((c) => c.node.validate().map((e) => `[${c.node.path}] ${e}`));
  if (errors.length) throw new Error(errors.join('\n'));
}

describe('a workload that cannot see its certificate renewed is refused at synth', () => {
  test('mount() mounts the whole volume: no subPath, no env; the chart validates', () => {
    const { scope, certificate, deployment } = scopeWithCertificate();
    certificate.mount(deployment);
    const [d] = objects(Testing.synth(scope.chart), 'Deployment', 'api');
    const container = d.spec.template.spec.containers[0];
    expect(container.volumeMounts).toEqual([{ mountPath: '/etc/tls/api-tls', name: 'tls-api-tls', readOnly: true }]);
    expect(container.env).toBeUndefined();
    expect(() => validate(scope)).not.toThrow();
  });

  test('a subPath mount of the certificate\'s Secret', () => {
    const { scope, certificate, deployment } = scopeWithCertificate();
    const volume = kplus.Volume.fromSecret(scope.chart, 'tls', kplus.Secret.fromSecretName(scope.chart, 's', certificate.secretName));
    deployment.containers[0].mount('/etc/nginx/tls.crt', volume, { subPath: 'tls.crt' });
    expect(errorOf(() => validate(scope))).toContain(
      "workload Deployment payments/api container 'api' reads the rotating certificate of Secret api-tls-tls through a subPath mount " +
      "(mount /etc/nginx/tls.crt with subPath 'tls.crt' of volume 'secret-api-tls-tls')");
  });

  test('an environment variable from the certificate\'s Secret, and every key through envFrom', () => {
    const { scope, certificate, deployment } = scopeWithCertificate();
    const secret = kplus.Secret.fromSecretName(scope.chart, 's', certificate.secretName);
    deployment.containers[0].env.addVariable('TLS_CERT', kplus.EnvValue.fromSecretValue({ secret, key: 'tls.crt' }));
    deployment.containers[0].env.copyFrom(kplus.Env.fromSecret(secret));
    const message = errorOf(() => validate(scope));
    expect(message).toContain("through an environment variable (variable TLS_CERT from key 'tls.crt')");
    expect(message).toContain('through an environment variable (every key as a variable)');
    expect(message).toContain('never an environment variable');
  });

  test('another Secret (not a certificate the chart rotates) is not refused', () => {
    const { scope, deployment } = scopeWithCertificate();
    deployment.containers[0].env.addVariable('PASSWORD', kplus.EnvValue.fromSecretValue({ secret: kplus.Secret.fromSecretName(scope.chart, 's', 'db'), key: 'password' }));
    expect(() => validate(scope)).not.toThrow();
  });

  test('a csi-driver volume mounted with subPath (the pure check the audit shares)', () => {
    const pod = { volumes: [{ name: 'tls', csi: { driver: 'csi.cert-manager.io' } }], containers: [{ name: 'c', volumeMounts: [{ name: 'tls', mountPath: '/tls/tls.crt', subPath: 'tls.crt' }] }] };
    expect(renewalBlindReads(pod, () => false)).toEqual([{ container: 'c', how: 'subPath', source: 'csi csi.cert-manager.io', detail: "mount /tls/tls.crt with subPath 'tls.crt' of volume 'tls'" }]);
  });
});

describe('CertificateReload', () => {
  test('rollingRestart: Reloader\'s annotation on the workload names each mounted certificate\'s Secret once', () => {
    const { scope, certificate, deployment } = scopeWithCertificate();
    const other = new ShortLivedCertificate(scope.chart, 'api-client', { issuer: certificate.issuer, dnsNames: ['client.payments.services.internal'] });
    certificate.mount(deployment, { reload: CertificateReload.rollingRestart() });
    other.mount(deployment, { reload: CertificateReload.rollingRestart() });
    const [d] = objects(Testing.synth(scope.chart), 'Deployment', 'api');
    expect(d.metadata.annotations).toEqual({ 'secret.reloader.stakater.com/reload': 'api-tls-tls,api-client-tls' });
  });

  test('fileWatch (the default) emits nothing', () => {
    const { scope, certificate, deployment } = scopeWithCertificate();
    certificate.mount(deployment, { reload: CertificateReload.fileWatch() });
    expect(objects(Testing.synth(scope.chart), 'Deployment', 'api')[0].metadata.annotations).toBeUndefined();
  });

  test('fails: a rolling restart of a csi-driver volume (no Secret to watch)', () => {
    const scope = newScope();
    const issuer = newTenant(scope);
    const tls = new InMemoryCertificate(scope.chart, 'api-tls', { issuer, dnsNames: ['api.payments.services.internal'] });
    const deployment = new kplus.Deployment(scope.chart, 'api', { metadata: { namespace: 'payments' }, containers: [{ image: 'x' }] });
    expect(errorOf(() => tls.mount(deployment, { reload: CertificateReload.rollingRestart() }))).toContain("'reload' (rolling restart) needs a Secret to watch");
  });
});

describe('CertificateProbes', () => {
  const probes = () => {
    const scope = newScope();
    const construct = new CertificateProbes(scope.chart, 'served', {
      targets: [ProbeTarget.host('shop.example.com', { secretNamespace: 'shop', secretName: 'storefront-tls' }), ProbeTarget.service('payments', 'api', { port: 8443 })],
      expectedIssuer: "CN=(R1[0-4]|E[5-9]),O=Let's Encrypt,C=US",
      renewBefore: Duration.days(30),
    });
    return { construct, manifests: Testing.synth(scope.chart) };
  };

  test('one Probe per endpoint for blackbox exporter\'s TCP prober with TLS; the Secret rides along as labels', () => {
    const { construct, manifests } = probes();
    expect(objects(manifests, 'Probe').map((p) => [p.metadata.name, p.spec])).toEqual([
      ['served-1', {
        jobName: 'served',
        module: 'vault_pki_tls',
        interval: '1m',
        prober: { url: 'prometheus-blackbox-exporter.monitoring.svc:9115' },
        targets: { staticConfig: { static: ['shop.example.com:443'], labels: { secret_namespace: 'shop', secret_name: 'storefront-tls' } } },
      }],
      ['served-2', {
        jobName: 'served',
        module: 'vault_pki_tls',
        interval: '1m',
        prober: { url: 'prometheus-blackbox-exporter.monitoring.svc:9115' },
        targets: { staticConfig: { static: ['api.payments.svc:8443'] } },
      }],
    ]);
    expect(construct.blackboxModule).toEqual({ prober: 'tcp', timeout: '5s', tcp: { tls: true } });
    const [rule] = objects(manifests, 'PrometheusRule', 'served-alerts');
    expect(rule.spec.groups[0].rules.map((r: any) => r.alert)).toEqual([
      'VaultPkiServedCertificateExpiring', 'VaultPkiServedCertificateUnexpectedIssuer', 'VaultPkiServedCertificateStale', 'VaultPkiProbeFailing',
    ]);
    expect(rule.spec.groups[0].rules[0].expr).toBe('max by (instance) (probe_ssl_earliest_cert_expiry{job="served"}) - time() < 648000');
  });

  test.each([
    ['no targets', { targets: [] }, "'targets' is empty"],
    ['half a Secret', { targets: [ProbeTarget.host('a.example.com', { secretName: 'x' })] }, "give both 'secretNamespace' and 'secretName'"],
    ['a bad issuer pattern', { expectedIssuer: '(' }, "'expectedIssuer' (() is not a regular expression"],
    ['no renewBefore', { renewBefore: undefined }, "'renewBefore' must be the served certificates' renewBefore"],
  ] as [string, any, string][])('fails with %s', (_what, props, message) => {
    expect(errorOf(() => new CertificateProbes(newScope().chart, 'served', {
      targets: [ProbeTarget.host('a.example.com')], expectedIssuer: 'CN=x', renewBefore: Duration.hours(8), ...props,
    }))).toContain(message);
  });
});
