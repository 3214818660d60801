// What JavaScript, `ts-node --transpile-only` and the other jsii languages can pass that TypeScript cannot: every public
// entry point checks the shape of its props first, and every message names the construct, the prop the user wrote and
// the fix.
import { Duration } from 'cdk8s';
import { errorOf, hierarchyOf, newScope, newTenant } from './util';
import { PkiHierarchy, PkiValidationError, ShortLivedCertificate, Tenant, TrustBundle } from '../src';

const untyped = (v: unknown) => v as any;

describe('props of the wrong shape are the library\'s error, one per prop, with the fix', () => {
  test('a string where a list is expected: one error, not one per character', () => {
    const error = errorOf(() => newTenant(newScope(), { domains: untyped('payments.services.internal') }));
    expect(error).toBe("Tenant 'vault/payments': 'domains' must be a list of strings, got the string 'payments.services.internal': " +
      "write ['payments.services.internal']");
    expect(errorOf(() => newTenant(newScope(), { domains: untyped(['a.services.internal', 42]) })))
      .toBe("Tenant 'vault/payments': 'domains[1]' must be a string, got the number 42");
  });

  test('a string or a number where a Duration is expected, with what to write (Duration.parse takes ISO 8601)', () => {
    const scope = newScope();
    const issuer = newTenant(scope);
    expect(errorOf(() => new ShortLivedCertificate(scope.chart, 'a', { issuer, dnsNames: ['a.payments.services.internal'], duration: untyped('24h') })))
      .toBe("ShortLivedCertificate 'pki/a': 'duration' must be a Duration, got the string '24h': write Duration.hours(24) (cdk8s's Duration.parse " +
        "takes ISO 8601, e.g. Duration.parse('PT24H'), not '24h')");
    expect(errorOf(() => new ShortLivedCertificate(scope.chart, 'b', { issuer, dnsNames: ['b.payments.services.internal'], renewBefore: untyped(8) })))
      .toBe("ShortLivedCertificate 'pki/b': 'renewBefore' must be a Duration, got the number 8: write Duration.hours(8) or Duration.seconds(8) " +
        '(a bare number has no unit)');
    expect(errorOf(() => newTenant(newScope(), { maxDuration: untyped('2d') })))
      .toContain("'maxDuration' must be a Duration, got the string '2d': write Duration.days(2) (cdk8s's Duration.parse takes ISO 8601, e.g. Duration.parse('PT48H')");
  });

  test('nested props are named by their path', () => {
    const scope = newScope();
    expect(errorOf(() => new PkiHierarchy(scope.vault, 'pki', {
      root: { commonName: 'root', ttl: untyped(3650) },
      intermediates: [{ name: 'services', domains: untyped('services.internal') }],
    }))).toBe("PkiHierarchy 'vault/pki': 'root.ttl' must be a Duration, got the number 3650: write Duration.hours(3650) or Duration.seconds(3650) " +
      '(a bare number has no unit)');
    expect(errorOf(() => new PkiHierarchy(newScope().vault, 'pki', { root: { commonName: 'root' }, intermediates: [{ name: 'services', domains: untyped('x.internal') }] })))
      .toBe("PkiHierarchy 'vault/pki': 'intermediates[0].domains' must be a list of strings, got the string 'x.internal': write ['x.internal']");
    expect(errorOf(() => new TrustBundle(scope.chart, 'b', { hierarchy: hierarchyOf(newScope()), namespaceLabels: { a: 'b' }, additionalCaCertificates: untyped('PEM') })))
      .toContain("'additionalCaCertificates' must be a list of strings, got the string 'PEM': write ['PEM']");
  });

  test('a Tenant where its Issuer is expected: the message says to place it (placeOn), not that it is foreign', () => {
    const scope = newScope();
    const tenant = new Tenant(scope.vault, 'payments', {
      intermediate: hierarchyOf(scope).intermediate('services'), namespace: 'payments', domains: ['payments.services.internal'],
    });
    expect(errorOf(() => new ShortLivedCertificate(scope.chart, 'c', { issuer: untyped(tenant), dnsNames: ['c.payments.services.internal'] })))
      .toBe("ShortLivedCertificate 'pki/c': 'issuer' is the Tenant 'payments/vault-services' (its Vault half), not its Issuer in a cluster: place it " +
        'on this cluster first, `const issuer = tenant.placeOn(chart)`, and pass that TenantIssuer');
  });

  test('messages name the Tenant props to change, not the TenantIssuer', () => {
    const scope = newScope();
    const issuer = newTenant(scope);
    const error = errorOf(() => new ShortLivedCertificate(scope.chart, 'd', {
      issuer, dnsNames: ['*.x.payments.services.internal', 'a.auth.services.internal'], ipAddresses: ['10.0.0.1'],
    }));
    expect(error).toContain("set 'allowWildcards' on the Tenant");
    expect(error).toContain("add the domain to the Tenant's 'domains'");
    expect(error).toContain("set 'allowedIpRanges' on the Tenant");
    expect(error).not.toContain('TenantIssuer');
  });

  test('PkiValidationError is exported from the package root and carries the construct, its type and every problem', () => {
    try {
      newTenant(newScope(), { maxDuration: Duration.hours(72), domains: untyped('x') });
      throw new Error('not thrown');
    } catch (e) {
      expect(e).toBeInstanceOf(PkiValidationError);
      expect((e as PkiValidationError).constructType).toBe('Tenant');
      expect((e as PkiValidationError).constructPath).toBe('vault/payments');
    }
  });
});
