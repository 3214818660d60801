// The CRLs as clients fetch them (issue 15): every PKI mount passes If-Modified-Since to Vault's PKI backend and lets
// Last-Modified back out (the only way Vault tells a CRL's age: its 304 answer), and CrlProbes fetch each CRL with
// blackbox exporter and alert when it is unfetchable, stale or about to expire (the alerts are run by promtool in
// `npm run test:alerts`, scenario c1).
import { Duration, Testing } from 'cdk8s';
import { Testing as TfTesting } from 'cdktf';
import { errorOf, newHierarchy, newScope, objects } from './util';
import { CrlProbes } from '../src';

describe('CRL probes', () => {
  test('every PKI mount is tuned for If-Modified-Since, and its certificates name the CRL URL crlUrl() gives', () => {
    const scope = newScope({ vault: { aiaBaseUrl: 'http://pki.internal' } });
    const pki = newHierarchy(scope);
    const tf = JSON.parse(TfTesting.synth(scope.vault));
    const mounts = Object.values<any>(tf.resource.vault_mount);
    expect(mounts.length).toBeGreaterThanOrEqual(2);
    for (const m of mounts) {
      expect([m.path, m.passthrough_request_headers, m.allowed_response_headers]).toEqual([m.path, ['If-Modified-Since'], ['Last-Modified']]);
    }
    const urls = Object.values<any>(tf.resource.vault_pki_secret_backend_config_urls).map((u) => u.crl_distribution_points[0]);
    expect(urls).toContain(scope.vault.crlUrl(pki.root.mountPath));
    expect(scope.vault.crlUrl('pki-root')).toBe('http://pki.internal/v1/pki-root/crl');
  });

  test('one Probe per CRL for blackbox exporter\'s HTTP prober asking If-Modified-Since; three alerts on its age', () => {
    const scope = newScope();
    const probes = new CrlProbes(scope.chart, 'crls', { urls: [scope.vault.crlUrl('pki-root'), scope.vault.crlUrl('pki-int-services')] });
    const manifests = Testing.synth(scope.chart);
    expect(objects(manifests, 'Probe').map((p) => [p.metadata.name, p.spec.jobName, p.spec.module, p.spec.interval, p.spec.targets.staticConfig.static])).toEqual([
      ['crls-1', 'crls', 'vault_pki_crl', '5m', ['https://vault.internal:8200/v1/pki-root/crl']],
      ['crls-2', 'crls', 'vault_pki_crl', '5m', ['https://vault.internal:8200/v1/pki-int-services/crl']],
    ]);
    expect(probes.blackboxModule).toEqual({
      prober: 'http',
      timeout: '10s',
      http: { method: 'GET', headers: { 'If-Modified-Since': 'Fri, 01 Jan 2100 00:00:00 GMT' }, valid_status_codes: [304] },
    });
    const [rule] = objects(manifests, 'PrometheusRule', 'crls-alerts');
    expect(rule.spec.groups[0].rules.map((r: any) => [r.alert, r.expr, r.for, r.labels.severity])).toEqual([
      ['VaultPkiCrlUnreachable', 'max by (instance) (probe_success{job="crls"}) == 0', '15m', 'warning'],
      // Vault rebuilds the mounts' 72h CRLs 12h before they expire: older than 60h + 1h means the rebuild stopped.
      ['VaultPkiCrlStale', 'time() - max by (instance) (probe_http_last_modified_timestamp_seconds{job="crls"}) > 219600', '10m', 'warning'],
      ['VaultPkiCrlExpiring', 'time() - max by (instance) (probe_http_last_modified_timestamp_seconds{job="crls"}) > 237600', '5m', 'critical'],
    ]);
  });

  test.each([
    ['no URLs', { urls: [] }, "'urls' is empty"],
    ['a URL that is not one', { urls: ['pki-root/crl'] }, 'urls[0]'],
    ['a CRL twice', { urls: ['http://pki.internal/v1/pki-root/crl', 'http://pki.internal/v1/pki-root/crl'] }, "'urls' lists a CRL twice"],
    ['a bad module name', { module: 'crl-module' }, "'module' (crl-module) is not a blackbox module name"],
    ['a fractional interval', { interval: Duration.millis(1500) }, "'interval' must be a whole number of seconds"],
  ] as [string, any, string][])('fails with %s', (_what, props, message) => {
    expect(errorOf(() => new CrlProbes(newScope().chart, 'crls', { urls: ['http://pki.internal/v1/pki-root/crl'], ...props }))).toContain(message);
  });
});
