import { Duration } from 'cdk8s';
import { IntermediateCa, KeyAlgorithm, PkiHierarchy, PkiLimits, RootCa, VaultPkiStack, VaultServerCa } from '../src';
import { errorOf, KUBERNETES_CA_PEM, newHierarchy, newScope, objects, resolveRef, resource, resources, synthBoth } from './util';
import { PkiValidationError } from '../src/core/errors';

describe('PkiHierarchy', () => {
  test('snapshot of the reference hierarchy', () => {
    // GIVEN / WHEN
    const scope = newScope();
    newHierarchy(scope);
    // THEN
    const { manifests, terraform } = synthBoth(scope);
    expect(manifests).toEqual([]); // the hierarchy lives in Vault only
    // Only the hierarchy's resources (the cluster's auth method is PkiCluster's).
    const { vault_auth_backend: _a, vault_kubernetes_auth_backend_config: _c, ...hierarchy } = terraform.resource;
    expect(hierarchy).toMatchSnapshot();
  });

  describe('H1: root CA', () => {
    const scope = newScope();
    newHierarchy(scope);
    const { terraform } = synthBoth(scope);
    const root = resource(terraform, 'vault_pki_secret_backend_root_cert');

    test('key generated inside Vault, EC P-384, TTL 10y', () => {
      expect(root.type).toBe('internal');
      expect(root.key_type).toBe('ec');
      expect(root.key_bits).toBe(384);
      expect(Number(root.ttl)).toBe(3650 * 86400);
      expect(root.common_name).toBe('acme-root-ca');
    });

    test('on its own mount, whose max lease TTL equals the root TTL', () => {
      const mount = resource(terraform, 'vault_mount', (m) => m.path === 'pki-root');
      expect(resolveRef(terraform, root.backend)).toBe('pki-root');
      expect(mount.type).toBe('pki');
      expect(mount.max_lease_ttl_seconds).toBe(Number(root.ttl));
    });

    test('signs only intermediates: no role on the root mount, root_sign_intermediate only from it', () => {
      const roles = Object.values(resources(terraform, 'vault_pki_secret_backend_role'));
      expect(roles.filter((r) => resolveRef(terraform, r.backend) === 'pki-root')).toEqual([]);
      const signed = Object.values(resources(terraform, 'vault_pki_secret_backend_root_sign_intermediate'));
      expect(signed).toHaveLength(3);
      for (const s of signed) expect(resolveRef(terraform, s.backend)).toBe('pki-root');
    });

    test('a custom TTL below 10y and a stronger key are accepted', () => {
      const s = newScope();
      newHierarchy(s, { root: { commonName: 'r', ttl: Duration.days(1825), keyAlgorithm: KeyAlgorithm.ECDSA_P521 } });
      const r = resource(synthBoth(s).terraform, 'vault_pki_secret_backend_root_cert');
      expect([r.ttl, r.key_bits]).toEqual([String(1825 * 86400), 521]);
    });
  });

  describe('H2: intermediates', () => {
    const scope = newScope();
    newHierarchy(scope);
    const { terraform } = synthBoth(scope);
    const names = ['services', 'ingress', 'mtls'];

    test('one PKI mount per intermediate', () => {
      const paths = Object.values(resources(terraform, 'vault_mount')).map((m) => m.path).sort();
      expect(paths).toEqual(['pki-int-ingress', 'pki-int-mtls', 'pki-int-services', 'pki-root']);
    });

    test.each(names)('%s: key generated in Vault, EC P-256 by default', (name) => {
      const csr = resource(terraform, 'vault_pki_secret_backend_intermediate_cert_request',
        (r) => resolveRef(terraform, r.backend) === `pki-int-${name}`);
      expect([csr.type, csr.key_type, csr.key_bits]).toEqual(['internal', 'ec', 256]);
    });

    test.each(names)('%s: signed for 1y (shorter than the root), path length 0, name constraints = its domains', (name) => {
      const signed = resource(terraform, 'vault_pki_secret_backend_root_sign_intermediate',
        (r) => r.common_name === `${name} intermediate CA`);
      const root = resource(terraform, 'vault_pki_secret_backend_root_cert');
      expect(Number(signed.ttl)).toBe(365 * 86400);
      expect(Number(signed.ttl)).toBeLessThan(Number(root.ttl));
      expect(signed.max_path_length).toBe(0);
      expect(signed.permitted_dns_domains).toEqual([{ services: 'services.internal', ingress: 'ingress.external', mtls: 'mtls.internal' }[name]]);
      expect(signed.issuer_ref).toBe('${vault_pki_secret_backend_issuer.pki_root_issuer.issuer_id}');
      expect(signed.use_csr_values).toBe(false);
    });

    test.each(['pki-root', ...names.map((n) => `pki-int-${n}`)])('%s: issuing-certificate and CRL URLs, auto-tidy, CRL rebuild', (path) => {
      const onMount = (r: any) => resolveRef(terraform, r.backend) === path;
      const urls = resource(terraform, 'vault_pki_secret_backend_config_urls', onMount);
      expect(urls.issuing_certificates).toEqual([`https://vault.internal:8200/v1/${path}/ca`]);
      expect(urls.crl_distribution_points).toEqual([`https://vault.internal:8200/v1/${path}/crl`]);
      const tidy = resource(terraform, 'vault_pki_secret_backend_config_auto_tidy', onMount);
      expect(tidy.enabled).toBe(true);
      expect(tidy.tidy_cert_store).toBe(true);
      expect(resource(terraform, 'vault_pki_secret_backend_crl_config', onMount).auto_rebuild).toBe(true);
    });

    test.each(names)('%s: mount lease TTLs match the leaf TTLs (24h default, 48h cap)', (name) => {
      const mount = resource(terraform, 'vault_mount', (m) => m.path === `pki-int-${name}`);
      expect([mount.default_lease_ttl_seconds, mount.max_lease_ttl_seconds]).toEqual([86400, 172800]);
    });

    test.each(names)('%s: the signed certificate is imported and named; roles can pin its issuer', (name) => {
      const setSigned = resource(terraform, 'vault_pki_secret_backend_intermediate_set_signed',
        (r) => resolveRef(terraform, r.backend) === `pki-int-${name}`);
      expect(setSigned.certificate).toBe(`\${vault_pki_secret_backend_root_sign_intermediate.pki_int_${name}_signed.certificate}`);
      const issuer = resource(terraform, 'vault_pki_secret_backend_issuer', (r) => r.issuer_name === name);
      expect(issuer.issuer_ref).toBe(`\${element(vault_pki_secret_backend_intermediate_set_signed.pki_int_${name}_set-signed.imported_issuers, 0)}`);
      expect(issuer.leaf_not_after_behavior).toBe('err');
    });

    test('a custom TTL and an RSA key are accepted', () => {
      const s = newScope();
      newHierarchy(s, { intermediates: [{ name: 'x', domains: ['x.internal'], ttl: Duration.days(90), keyAlgorithm: KeyAlgorithm.rsa(3072) }] });
      const csr = resource(synthBoth(s).terraform, 'vault_pki_secret_backend_intermediate_cert_request');
      expect([csr.key_type, csr.key_bits]).toEqual(['rsa', 3072]);
    });
  });

  describe('H12: no private key material', () => {
    const scope = newScope();
    newHierarchy(scope);
    const { manifests, terraform } = synthBoth(scope);
    const text = JSON.stringify({ manifests, terraform });

    test('nothing that looks like a key, and every key is generated inside Vault', () => {
      expect(text).not.toMatch(/PRIVATE KEY|pem_bundle|private_key"/);
      expect(resources(terraform, 'vault_pki_secret_backend_config_ca')).toEqual({}); // would import a key
      const generated = [
        ...Object.values(resources(terraform, 'vault_pki_secret_backend_root_cert')),
        ...Object.values(resources(terraform, 'vault_pki_secret_backend_intermediate_cert_request')),
      ];
      expect(generated).toHaveLength(4);
      for (const r of generated) expect(r.type).toBe('internal');
    });
  });

  test('intermediate() hands out an intermediate by name', () => {
    const pki = newHierarchy(newScope());
    expect(pki.intermediate('mtls').mountPath).toBe('pki-int-mtls');
    expect(pki.intermediate('mtls').domains).toEqual(['mtls.internal']);
  });

  describe('errors (H11)', () => {
    const invalid = (props: any) => errorOf(() => newHierarchy(newScope(), props));

    test('an unknown intermediate', () => {
      const pki = newHierarchy(newScope());
      expect(() => pki.intermediate('nope')).toThrow(PkiValidationError);
      expect(errorOf(() => pki.intermediate('nope'))).toMatch(/no intermediate named 'nope'; known intermediates: services, ingress, mtls/);
    });

    test('the error is a PkiValidationError naming the construct and listing every problem', () => {
      let error: unknown;
      try {
        newHierarchy(newScope(), { name: 'Bad_Name', root: { commonName: '' }, intermediates: [] });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(PkiValidationError);
      const e = error as PkiValidationError;
      expect(e.constructType).toBe('PkiHierarchy');
      expect(e.constructPath).toBe('vault/pki');
      expect(e.problems).toHaveLength(3);
      expect(e.message).toMatch(/^PkiHierarchy 'vault\/pki':/);
    });

    test('empty and invalid names', () => {
      expect(invalid({ name: '' })).toMatch(/'name' \(\) must be an RFC 1123 label/);
      expect(invalid({ name: 'PKI' })).toMatch(/'name' \(PKI\) must be an RFC 1123 label/);
      expect(invalid({ intermediates: [{ name: '', domains: ['a.internal'] }] })).toMatch(/'intermediates\[0\].name' \(\) must be an RFC 1123 label/);
      expect(invalid({ intermediates: [{ name: 'Services', domains: ['a.internal'] }] })).toMatch(/'intermediates\[0\]\.name' \(Services\)/);
      expect(invalid({ root: { commonName: '' } })).toMatch(/'root.commonName' \(\) must be 1 to 64 characters/);
    });

    test('no intermediates, no domains', () => {
      expect(invalid({ intermediates: [] })).toMatch(/'intermediates' is empty/);
      expect(invalid({ intermediates: [{ name: 'a', domains: [] }] })).toMatch(/'intermediates\[0\].domains' is empty/);
    });

    test('duplicate intermediate names', () => {
      expect(invalid({ intermediates: [{ name: 'a', domains: ['a.internal'] }, { name: 'a', domains: ['b.internal'] }] }))
        .toMatch(/'intermediates\[1\].name' \(a\) duplicates 'intermediates\[0\].name'; give every intermediate its own name/);
    });

    test('overlapping intermediate domains (equal, parent, child)', () => {
      const two = (a: string, b: string) => invalid({ intermediates: [{ name: 'a', domains: [a] }, { name: 'b', domains: [b] }] });
      expect(two('x.internal', 'x.internal')).toMatch(/'intermediates\[1\].domains' \(x.internal\) overlaps 'x.internal' of intermediate 'a'/);
      expect(two('x.internal', 'svc.x.internal')).toMatch(/\(svc.x.internal\) overlaps 'x.internal' of intermediate 'a'/);
      expect(two('svc.x.internal', 'x.internal')).toMatch(/\(x.internal\) overlaps 'svc.x.internal' of intermediate 'a'/);
      expect(() => two('x.internal', 'y.internal')).toThrow(/expected an error/);
    });

    test('invalid DNS names and wildcards as intermediate domains', () => {
      for (const bad of ['Services.Internal', 'internal', '-a.internal', 'a..internal', 'a_b.internal', 'a.internal.']) {
        expect(invalid({ intermediates: [{ name: 'a', domains: [bad] }] })).toMatch(new RegExp(`'intermediates\\[0\\].domains' \\(${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\) (has|ends)`));
      }
      expect(invalid({ intermediates: [{ name: 'a', domains: ['*.a.internal'] }] })).toMatch(/must not be a wildcard/);
    });

    test('intermediate TTL must be shorter than the root TTL', () => {
      expect(invalid({ root: { commonName: 'r', ttl: Duration.days(365) } }))
        .toMatch(/'intermediates\[0\].ttl' \(8760h \(365d\)\) must be shorter than 'root.ttl' \(8760h \(365d\)\); lower the intermediate's 'ttl' or raise the root's/);
      expect(invalid({ intermediates: [{ name: 'a', domains: ['a.internal'], ttl: Duration.days(4000) }] }))
        .toMatch(/must be shorter than 'root.ttl' \(87600h \(3650d\)\)/);
    });

    test("an IntermediateCa or RootCa created outside its hierarchy is refused (it would skip the hierarchy's checks)", () => {
      const pki = newHierarchy(newScope(), { root: { commonName: 'r', ttl: Duration.days(400) } });
      const props = { name: 'extra', domains: ['extra.internal'] };
      const parents = { root: pki.root, vault: pki.vault, hierarchyName: pki.name };
      expect(errorOf(() => new IntermediateCa(pki, 'extra', { ...props, ...parents })))
        .toBe("IntermediateCa 'vault/pki/extra': is created by its PkiHierarchy ('intermediates'), not on its own: " +
          "an intermediate outside its hierarchy would skip the hierarchy's checks (disjoint domains, unique names, alerts, trust bundle)");
      expect(errorOf(() => new RootCa(pki, 'another', { commonName: 'r2', vault: pki.vault, hierarchyName: 'x' })))
        .toMatch(/RootCa 'vault\/pki\/another': is created by its PkiHierarchy \('root'\), not on its own/);
    });

    test('missing required props are the library\'s errors, not TypeErrors', () => {
      const scope = newScope();
      expect(errorOf(() => new PkiHierarchy(scope.chart, 'a', { root: { commonName: 'r' }, intermediates: [{ name: 'x', domains: ['x.internal'] }] })))
        .toMatch(/PkiHierarchy 'pki\/a': must be created in a VaultPkiStack \(the Vault half lives in Terraform\)/);
      expect(errorOf(() => new PkiHierarchy(scope.vault, 'b', { intermediates: [] } as any))).toMatch(/'root.commonName' \(<missing>\) must be 1 to 64 characters/);
    });

    test("a weak root key is answered with the root's minimum, not a weaker suggestion", () => {
      expect(invalid({ root: { commonName: 'r', keyAlgorithm: KeyAlgorithm.ECDSA_P256 } }))
        .toMatch(/'root.keyAlgorithm' \(ECDSA P-256\) is too weak for a root CA; the minimum is ECDSA >= 384, RSA >= 4096; use KeyAlgorithm.ECDSA_P384 or stronger/);
    });

    test('root TTL above 10y, intermediate TTL below 30d, fractional seconds', () => {
      expect(invalid({ root: { commonName: 'r', ttl: Duration.days(3651) } }))
        .toMatch(/'root.ttl' \(87624h \(3651d\)\) must not exceed 87600h \(3650d\) \(10 years\); lower 'ttl'/);
      expect(invalid({ intermediates: [{ name: 'a', domains: ['a.internal'], ttl: Duration.days(7) }] }))
        .toMatch(/'intermediates\[0\].ttl' \(168h \(7d\)\) must be at least 720h \(30d\)/);
      expect(invalid({ root: { commonName: 'r', ttl: Duration.millis(1500) } })).toMatch(/must be a positive whole number of seconds/);
    });

    test('weak or unsupported keys', () => {
      expect(invalid({ root: { commonName: 'r', keyAlgorithm: KeyAlgorithm.ECDSA_P256 } }))
        .toMatch(/'root.keyAlgorithm' \(ECDSA P-256\) is too weak for a root CA; the minimum is ECDSA >= 384, RSA >= 4096/);
      expect(invalid({ root: { commonName: 'r', keyAlgorithm: KeyAlgorithm.rsa(2048) } })).toMatch(/\(RSA 2048\) is too weak for a root CA/);
      expect(invalid({ root: { commonName: 'r', keyAlgorithm: KeyAlgorithm.ED25519 } })).toMatch(/\(Ed25519\) is not allowed for a root CA/);
      expect(invalid({ intermediates: [{ name: 'a', domains: ['a.internal'], keyAlgorithm: KeyAlgorithm.rsa(1024) }] }))
        .toMatch(/'intermediates\[0\].keyAlgorithm' \(RSA 1024\) is too weak for an intermediate CA; the minimum is ECDSA >= 256, RSA >= 2048/);
      expect(invalid({ intermediates: [{ name: 'a', domains: ['a.internal'], keyAlgorithm: KeyAlgorithm.ecdsa(224) }] })).toMatch(/\(ECDSA P-224\) is too weak/);
      expect(invalid({ intermediates: [{ name: 'a', domains: ['a.internal'], keyAlgorithm: KeyAlgorithm.rsa(5000) }] }))
        .toMatch(/\(RSA 5000\) is not a size Vault and cert-manager support; use one of 2048, 3072, 4096, 8192 bits/);
    });

    test('a second hierarchy with the same name in one Vault, even from another stack of the program', () => {
      const scope = newScope();
      newHierarchy(scope);
      expect(errorOf(() => new PkiHierarchy(scope.vault, 'again', { root: { commonName: 'r' }, intermediates: [{ name: 'x', domains: ['x.internal'] }] })))
        .toMatch(/'name' \(pki\) is already used by the hierarchy at 'vault\/pki' in the same Vault/);
      const second = new VaultPkiStack(scope.tf, 'second', { address: 'https://vault.internal:8200', serverCa: VaultServerCa.fromPem(KUBERNETES_CA_PEM) });
      expect(errorOf(() => new PkiHierarchy(second, 'pki', { root: { commonName: 'r' }, intermediates: [{ name: 'x', domains: ['x.internal'] }] })))
        .toMatch(/'name' \(pki\) is already used by the hierarchy at 'vault\/pki'/);
    });

    test('an imported hierarchy or intermediate is validated like the real one and derives the same names', () => {
      const scope = newScope();
      const real = newHierarchy(scope);
      const imported = PkiHierarchy.fromAttributes(scope.tf, 'imported', {
        root: { commonName: 'acme-root-ca' },
        intermediates: [{ name: 'services', domains: ['services.internal'] }, { name: 'ingress', domains: ['ingress.external'] }, { name: 'mtls', domains: ['mtls.internal'] }],
      });
      for (const name of ['services', 'ingress', 'mtls']) {
        const [a, b] = [real.intermediate(name), imported.intermediate(name)];
        const derived = (i: typeof a) => [i.mountPath, i.issuerName, i.commonName, i.hierarchyName, i.ttl.toDays()];
        expect(derived(b)).toEqual(derived(a));
      }
      expect([imported.rootCommonName, imported.rootTtl.toDays(), imported.caPublicationNamespace]).toEqual(['acme-root-ca', 3650, 'cert-manager']);
      expect(errorOf(() => IntermediateCa.fromAttributes(scope.tf, 'bad', { hierarchyName: 'Pki', name: 'services', domains: ['*.x'] })))
        .toMatch(/IntermediateCa 'bad':[\s\S]*'hierarchyName' \(Pki\) must be the hierarchy's name[\s\S]*'domains' \(\*.x\) must not be a wildcard/);
      expect(errorOf(() => PkiHierarchy.fromAttributes(scope.tf, 'bad2', { root: { commonName: 'r' }, intermediates: [] })))
        .toMatch(/'intermediates' is empty/);
    });
  });

  test('limits', () => {
    expect([PkiLimits.ROOT_MAX_TTL.toDays(), PkiLimits.INTERMEDIATE_DEFAULT_TTL.toDays()]).toEqual([3650, 365]);
    expect(PkiLimits.LEAF_MAX_DURATION.toHours()).toBe(48);
    expect(objects([], 'x')).toEqual([]);
  });
});
