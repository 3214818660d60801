import { Duration } from 'cdk8s';
import { KeyAlgorithm, KeyUsage, PkiNames } from '../src';
import { Dns, DomainIndex } from '../src/core/dns';
import { Durations } from '../src/core/durations';
import { IpRanges } from '../src/core/ip-ranges';

describe('Durations', () => {
  test.each([
    [86400, '24h'], [28800, '8h'], [5400, '1h30m'], [90, '1m30s'], [45, '45s'], [0, '0s'], [3661, '1h1m1s'],
  ])('%d seconds is the Go duration %s', (s, go) => {
    expect(Durations.goFromSeconds(s)).toBe(go);
    expect(Durations.go(Duration.seconds(s))).toBe(go);
  });

  test('Vault TTLs are whole seconds as strings; fractions are not whole', () => {
    expect(Durations.vaultTtl(Duration.hours(48))).toBe('172800');
    expect(Durations.isWholePositive(Duration.millis(1500))).toBe(false);
    expect(Durations.isWholePositive(Duration.seconds(0))).toBe(false);
    expect(Durations.describe(Duration.days(365))).toBe('8760h (365d)');
  });
});

describe('Dns', () => {
  test('labels, subdomains and names', () => {
    expect(Dns.isLabel('payments')).toBe(true);
    expect(Dns.isLabel('a'.repeat(64))).toBe(false);
    expect(Dns.isSubdomain('vault-issuer.v1')).toBe(true);
    expect(Dns.isName('single')).toBe(false);
    expect(Dns.isName('*.a.internal')).toBe(false);
    expect(Dns.isName('*.a.internal', true)).toBe(true);
    expect(Dns.isName('a.*.internal', true)).toBe(false);
  });

  test('within, under, overlaps', () => {
    expect(Dns.isWithin('a.b.internal', 'b.internal')).toBe(true);
    expect(Dns.isWithin('ab.internal', 'b.internal')).toBe(false);
    expect(Dns.isUnder('b.internal', 'b.internal')).toBe(false);
    expect(Dns.overlaps('b.internal', 'x.b.internal')).toBe(true);
  });

  test('the domain index finds equal, parent and child domains', () => {
    const index = new DomainIndex();
    index.register('payments.services.internal', 'p');
    expect(index.conflict('payments.services.internal')).toEqual({ owner: 'p', domain: 'payments.services.internal' });
    expect(index.conflict('eu.payments.services.internal')).toEqual({ owner: 'p', domain: 'payments.services.internal' });
    expect(index.conflict('services.internal')).toEqual({ owner: 'p', domain: 'payments.services.internal' });
    expect(index.conflict('auth.services.internal')).toBeUndefined();
    expect(index.conflict('xpayments.services.internal')).toBeUndefined();
  });
});

describe('IpRanges', () => {
  test.each([
    ['10.0.0.0/8', ['10.*']],
    ['10.20.0.0/16', ['10.20.*']],
    ['10.20.30.0/24', ['10.20.30.*']],
    ['10.20.30.40/32', ['10.20.30.40']],
    ['10.20.28.0/22', ['10.20.28.*', '10.20.29.*', '10.20.30.*', '10.20.31.*']],
    ['fd00::1/128', ['fd00::1']],
  ])('%s expands to %j', (cidr, patterns) => {
    expect(IpRanges.problem(cidr)).toBeUndefined();
    expect(IpRanges.patterns(cidr)).toEqual(patterns);
  });

  test('a /28 expands to its 16 addresses', () => {
    expect(IpRanges.problem('10.0.0.16/28')).toBeUndefined();
    expect(IpRanges.patterns('10.0.0.16/28')).toEqual(Array.from({ length: 16 }, (_, i) => `10.0.0.${16 + i}`));
  });

  test('membership', () => {
    expect(IpRanges.contains('10.20.28.0/22', '10.20.31.255')).toBe(true);
    expect(IpRanges.contains('10.20.28.0/22', '10.20.32.0')).toBe(false);
    expect(IpRanges.contains('fd00::1/128', 'fd00:0:0::1')).toBe(true);
    expect(IpRanges.contains('10.0.0.0/8', 'fd00::1')).toBe(false);
  });

  test('problems', () => {
    expect(IpRanges.problem('10.0.0.0/33')).toMatch(/not a valid/);
    expect(IpRanges.problem('300.0.0.0/8')).toMatch(/not a valid/);
    expect(IpRanges.problem('10.0.0.0/7')).toMatch(/broader than \/8/);
    expect(IpRanges.problem('10.0.0.0/9')).toMatch(/more than 64/);
    expect(IpRanges.problem('10.0.0.128/25')).toMatch(/more than 64/);
    expect(IpRanges.problem('10.0.0.0/10')).toBeUndefined();
  });
});

describe('KeyAlgorithm', () => {
  test('Vault and cert-manager spellings', () => {
    expect([KeyAlgorithm.ECDSA_P256.vaultKeyType, KeyAlgorithm.ECDSA_P256.vaultKeyBits, `${KeyAlgorithm.ECDSA_P256}`]).toEqual(['ec', 256, 'ECDSA P-256']);
    expect([KeyAlgorithm.rsa(2048).vaultKeyType, KeyAlgorithm.rsa(2048).vaultKeyUsage]).toEqual(['rsa', ['DigitalSignature', 'KeyEncipherment']]);
    expect([KeyAlgorithm.ED25519.vaultKeyType, KeyAlgorithm.ED25519.vaultKeyBits, `${KeyAlgorithm.ED25519}`]).toEqual(['ed25519', 0, 'Ed25519']);
    expect(KeyAlgorithm.ecdsa(256).isSameAs(KeyAlgorithm.ECDSA_P256)).toBe(true);
    expect(KeyAlgorithm.rsa(1024).weak).toBe(true);
    expect(KeyAlgorithm.rsa(2048).keyUsages).toEqual([KeyUsage.DIGITAL_SIGNATURE, KeyUsage.KEY_ENCIPHERMENT]);
    expect(KeyAlgorithm.ED25519.keyUsages).toEqual([KeyUsage.DIGITAL_SIGNATURE]);
  });
});

describe('PkiNames', () => {
  test('every shared name, derived in one place', () => {
    expect(PkiNames.rootMountPath('pki')).toBe('pki-root');
    expect(PkiNames.intermediateMountPath('pki', 'services')).toBe('pki-int-services');
    expect(PkiNames.signPath('pki-int-services', PkiNames.roleName('payments', 'vault-services'))).toBe('pki-int-services/sign/payments-vault-services');
    expect(PkiNames.audience('payments', 'vault-services')).toBe('vault://payments/vault-services');
    expect(PkiNames.kubernetesAuthMountPath('kubernetes')).toBe('/v1/auth/kubernetes');
    expect(PkiNames.vaultApiUrl('https://vault:8200/', 'pki-root/ca')).toBe('https://vault:8200/v1/pki-root/ca');
    expect(PkiNames.vaultApiUrl('https://vault:8200', 'pki-root/ca', '/admin/')).toBe('https://vault:8200/v1/admin/pki-root/ca');
    expect(PkiNames.spiffeId('td', 'ns', 'sa')).toBe('spiffe://td/ns/ns/sa/sa');
  });
});
