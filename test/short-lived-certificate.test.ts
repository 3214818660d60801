import { Chart, Cron, Duration, Testing as K8sTesting } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { ClusterChart, KeyAlgorithm, KeyUsage, PkiCluster, ShortLivedCertificate, ShortLivedCertificateProps, TenantProps } from '../src';
import { errorOf, newScope, newTenant, objects, synthBoth, TestScope } from './util';

function newIssuer(scope: TestScope, props: Partial<TenantProps> = {}) {
  return newTenant(scope, props);
}

function newCertificate(props: Partial<ShortLivedCertificateProps> = {}, issuerProps: Partial<TenantProps> = {}) {
  const scope = newScope();
  const issuer = newIssuer(scope, issuerProps);
  const cert = new ShortLivedCertificate(scope.chart, 'payments-mtls', { issuer, dnsNames: ['mtls.payments.services.internal'], ...props });
  return { scope, issuer, cert };
}

function certificateSpec(scope: TestScope) {
  return objects(synthBoth(scope).manifests, 'Certificate')[0];
}

describe('ShortLivedCertificate', () => {
  test('snapshot of the defaults', () => {
    expect(certificateSpec(newCertificate().scope)).toMatchSnapshot();
  });

  test('H8 defaults: 24h, renew at a third, fresh ECDSA P-256 key each time, not a CA, explicit usages', () => {
    const { scope } = newCertificate();
    const cert = certificateSpec(scope);
    expect(cert.metadata).toMatchObject({ name: 'payments-mtls', namespace: 'payments' });
    expect(cert.spec).toMatchObject({
      secretName: 'payments-mtls-tls',
      issuerRef: { name: 'vault-services', kind: 'Issuer', group: 'cert-manager.io' },
      dnsNames: ['mtls.payments.services.internal'],
      duration: '24h',
      renewBefore: '8h',
      privateKey: { algorithm: 'ECDSA', size: 256, rotationPolicy: 'Always', encoding: 'PKCS8' },
      isCA: false,
      usages: ['digital signature', 'server auth', 'client auth'],
      revisionHistoryLimit: 1,
    });
    expect(cert.spec.commonName).toBeUndefined();
    expect(cert.spec.secretTemplate.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'cdk8s-vault-pki' });
  });

  test('the key algorithm is always the Vault role\'s', () => {
    const { scope } = newCertificate({}, { keyAlgorithm: KeyAlgorithm.rsa(2048) });
    const { manifests, terraform } = synthBoth(scope);
    const cert = objects(manifests, 'Certificate')[0];
    const role = Object.values(terraform.resource.vault_pki_secret_backend_role)[0] as any;
    expect([cert.spec.privateKey.algorithm, cert.spec.privateKey.size]).toEqual(['RSA', role.key_bits]);
    expect(role.key_type).toBe('rsa');
    expect(cert.spec.usages).toEqual(['digital signature', 'key encipherment', 'server auth', 'client auth']);
  });

  test('custom duration/renewBefore/usages/names; duration defaults to a shorter tenant max', () => {
    const { scope } = newCertificate({
      duration: Duration.hours(12),
      renewBefore: Duration.hours(2),
      certificateName: 'web',
      secretName: 'web-cert',
      secretLabels: { team: 'payments' },
      revisionHistoryLimit: 3,
    });
    const cert = certificateSpec(scope);
    expect(cert.spec).toMatchObject({ duration: '12h', renewBefore: '2h', usages: ['digital signature', 'server auth', 'client auth'], secretName: 'web-cert', revisionHistoryLimit: 3 });
    expect(cert.spec.secretTemplate.labels.team).toBe('payments');
    expect(cert.metadata.name).toBe('web');
    const short = newCertificate({}, { maxDuration: Duration.hours(6) });
    expect([short.cert.duration.toHours(), short.cert.renewBefore.toHours()]).toEqual([6, 2]);
  });

  test('IP SANs and wildcards when the tenant opted in', () => {
    const { scope } = newCertificate(
      { dnsNames: ['*.web.payments.services.internal'], ipAddresses: ['10.20.1.2'] },
      { allowWildcards: true, allowedIpRanges: ['10.20.0.0/16'], spiffeTrustDomain: 'cluster.local', spiffeServiceAccounts: ['web'] });
    const cert = certificateSpec(scope);
    expect(cert.spec.dnsNames).toEqual(['*.web.payments.services.internal']);
    expect(cert.spec.ipAddresses).toEqual(['10.20.1.2']);
    expect(cert.spec.uris).toBeUndefined();
  });

  test("IPv6 SANs and patterns are Go's canonical text, which approver-policy compares", () => {
    const { scope } = newCertificate({ dnsNames: undefined, ipAddresses: ['2001:0DB8:0:0:0:0:0:1'] }, { allowedIpRanges: ['2001:db8:0:0:0::1/128'] });
    const { manifests } = synthBoth(scope);
    expect(objects(manifests, 'Certificate')[0].spec.ipAddresses).toEqual(['2001:db8::1']);
    expect(objects(manifests, 'CertificateRequestPolicy')[0].spec.allowed.ipAddresses.values).toEqual(['2001:db8::1']);
    expect(errorOf(() => newCertificate({}, { allowedIpRanges: ['::ffff:10.1.2.3/128'] })))
      .toMatch(/'allowedIpRanges' \(::ffff:10.1.2.3\/128\) is an IPv4-mapped IPv6 address; give the IPv4 address itself/);
  });

  test("usages narrower than the tenant's are refused: Vault signs with the role's usages, not the request's", () => {
    expect(errorOf(() => newCertificate({ usages: [KeyUsage.SERVER_AUTH] })))
      .toMatch(/'usages' \(digital signature, server auth\) leaves out client auth, but Vault signs every certificate of issuer 'payments\/vault-services' with the role's usages/);
    expect(() => newCertificate({ usages: [KeyUsage.SERVER_AUTH] }, { clientAuth: false })).not.toThrow();
  });

  test('a SPIFFE ID is refused: cert-manager requests the certificate, so anyone who may create a Certificate could claim it', () => {
    expect(errorOf(() => newCertificate({ spiffeServiceAccount: 'web' }, { spiffeTrustDomain: 'cluster.local', spiffeServiceAccounts: ['web'] })))
      .toBe("ShortLivedCertificate 'pki/payments-mtls': 'spiffeServiceAccount' (web) is no longer accepted: this certificate is requested by " +
        "cert-manager (or csi-driver) with its own identity, so anyone who may create a Certificate or a csi-driver volume in 'payments' could " +
        "obtain that service account's SPIFFE ID; give the workload its identity with a SpiffeIdentity (csi-driver-spiffe requests it with the " +
        "pod's own token) and drop 'spiffeServiceAccount'");
  });

  describe('mount()', () => {
    /**
     * What the kubelet makes of a Secret volume (kubernetes v1.32 pkg/volume/util/atomic_writer.go and
     * pkg/volume/volume_linux.go SetVolumeOwnership): files owned by root, mode = the volume's defaultMode; with a
     * pod fsGroup the group becomes the fsGroup and the mode gains 0440. Container processes carry the fsGroup as a
     * supplementary group. Returns whether a process (uid, gid) of a container of that pod can read `tls.key`.
     */
    function canRead(podSpec: any, process: { uid: number; gid: number; inPod: boolean }): boolean {
      const volume = podSpec.volumes.find((v: any) => v.secret);
      const fsGroup: number | undefined = podSpec.securityContext?.fsGroup;
      // Permission bits as digits: owner, group, other (the kubelet ORs 0440 onto the mode with an fsGroup).
      const digits = (volume.secret.defaultMode ?? 0o644).toString(8).padStart(3, '0').slice(-3).split('').map(Number);
      if (fsGroup !== undefined) for (const i of [0, 1]) if (digits[i] < 4) digits[i] += 4; // OR in the read bit
      const fileGroup = fsGroup ?? 0;
      const groups = [process.gid, ...(process.inPod && fsGroup !== undefined ? [fsGroup] : [])];
      if (process.uid === 0) return true;
      const readable = (digit: number) => digit >= 4;
      return groups.includes(fileGroup) ? readable(digits[1]) : readable(digits[2]);
    }

    function mountedPodSpec(workload: (chart: Chart) => kplus.AbstractPod, kind: string, options = {}): any {
      const scope = newScope();
      const issuer = newIssuer(scope);
      const cert = new ShortLivedCertificate(scope.chart, 'payments-mtls', { issuer, dnsNames: ['mtls.payments.services.internal'] });
      cert.mount(workload(scope.chart), options);
      const object = objects(K8sTesting.synth(scope.chart), kind)[0];
      return kind === 'Pod' ? object.spec : kind === 'CronJob' ? object.spec.jobTemplate.spec.template.spec : object.spec.template.spec;
    }

    const nonRootDeployment = (chart: Chart) => new kplus.Deployment(chart, 'app', {
      metadata: { namespace: 'payments' },
      containers: [{ image: 'registry.example/app:1' }], // cdk8s-plus defaults: runAsNonRoot, no fsGroup
    });

    test('GIVEN a cdk8s-plus workload with its defaults (non-root, no fsGroup) THEN its user can read the key and nobody else can', () => {
      const spec = mountedPodSpec(nonRootDeployment, 'Deployment');
      expect(spec.securityContext).toEqual({ fsGroup: 26000, fsGroupChangePolicy: 'Always', runAsNonRoot: true });
      expect(spec.volumes).toEqual([{ name: 'tls-payments-mtls', secret: { secretName: 'payments-mtls-tls', defaultMode: 0o440 } }]);
      expect(spec.containers[0].volumeMounts).toEqual([{ name: 'tls-payments-mtls', mountPath: '/etc/tls/payments-mtls', readOnly: true }]);
      expect(spec.containers[0].securityContext.runAsNonRoot).toBe(true);
      // The image's non-root user (any uid/gid): reads through the fsGroup. A user outside the pod's groups: cannot.
      expect(canRead(spec, { uid: 1000, gid: 1000, inPod: true })).toBe(true);
      expect(canRead(spec, { uid: 1001, gid: 1001, inPod: false })).toBe(false);
    });

    test("the pod's own fsGroup, or the container's group, is used; an explicit fsGroup only where the pod has none", () => {
      const withFsGroup = mountedPodSpec((chart) => new kplus.Deployment(chart, 'app', {
        metadata: { namespace: 'payments' }, securityContext: { fsGroup: 3000 }, containers: [{ image: 'x' }],
      }), 'Deployment');
      expect(withFsGroup.securityContext.fsGroup).toBe(3000);
      const withGroup = mountedPodSpec((chart) => new kplus.Deployment(chart, 'app', {
        metadata: { namespace: 'payments' }, containers: [{ image: 'x', securityContext: { user: 4000, group: 4001 } }],
      }), 'Deployment');
      expect(withGroup.securityContext.fsGroup).toBe(4001);
      expect(canRead(withGroup, { uid: 4000, gid: 4001, inPod: true })).toBe(true);
      expect(mountedPodSpec(nonRootDeployment, 'Deployment', { fsGroup: 5000 }).securityContext.fsGroup).toBe(5000);
    });

    test.each<[string, string, (chart: Chart) => kplus.AbstractPod]>([
      ['StatefulSet', 'StatefulSet', (chart) => new kplus.StatefulSet(chart, 'app', {
        metadata: { namespace: 'payments' },
        containers: [{ image: 'x' }],
        service: new kplus.Service(chart, 'svc', { metadata: { namespace: 'payments' }, ports: [{ port: 443 }] }),
      })],
      ['Job', 'Job', (chart) => new kplus.Job(chart, 'app', { metadata: { namespace: 'payments' }, containers: [{ image: 'x' }] })],
      ['CronJob', 'CronJob', (chart) => new kplus.CronJob(chart, 'app', {
        metadata: { namespace: 'payments' }, containers: [{ image: 'x' }], schedule: Cron.daily(),
      })],
      ['Pod', 'Pod', (chart) => new kplus.Pod(chart, 'app', { metadata: { namespace: 'payments' }, containers: [{ image: 'x' }] })],
    ])('a non-root %s reads its key too', (_, kind, workload) => {
      const spec = mountedPodSpec(workload, kind);
      expect(canRead(spec, { uid: 1000, gid: 1000, inPod: true })).toBe(true);
      expect(canRead(spec, { uid: 1001, gid: 1001, inPod: false })).toBe(false);
    });

    test('fails: an fsGroup that contradicts the pod\'s, or root\'s group; a second volume of the same name', () => {
      const scope = newScope();
      const issuer = newIssuer(scope);
      const cert = new ShortLivedCertificate(scope.chart, 'payments-mtls', { issuer, dnsNames: ['mtls.payments.services.internal'] });
      const pod = (id: string, fsGroup?: number) => new kplus.Deployment(scope.chart, id, {
        metadata: { namespace: 'payments' }, securityContext: { fsGroup }, containers: [{ image: 'x' }],
      });
      expect(errorOf(() => cert.mount(pod('a', 3000), { fsGroup: 5000 }))).toMatch(/'fsGroup' \(5000\) differs from the pod's fsGroup \(3000\)/);
      expect(errorOf(() => cert.mount(pod('b', 0)))).toMatch(/has fsGroup 0 \(root's group\)/);
      expect(errorOf(() => cert.mount(pod('c'), { fsGroup: -1 }))).toMatch(/'fsGroup' \(-1\) must be a group id/);
      const twice = pod('d');
      cert.mount(twice);
      expect(errorOf(() => cert.mount(twice, { path: '/other' })))
        .toMatch(/ShortLivedCertificate 'pki\/payments-mtls': workload 'pki\/d' already has a volume named 'tls-payments-mtls'/);
    });

    test('long certificate names give distinct volume names that fit 63 characters', () => {
      const scope = newScope();
      const issuer = newIssuer(scope);
      const base = `${'a'.repeat(40)}.${'b'.repeat(30)}`;
      const deployment = new kplus.Deployment(scope.chart, 'app', { metadata: { namespace: 'payments' }, containers: [{ image: 'x' }] });
      for (const suffix of ['-one', '-two']) {
        new ShortLivedCertificate(scope.chart, `${base}${suffix}`, { issuer, dnsNames: ['mtls.payments.services.internal'] }).mount(deployment, { path: `/tls${suffix}` });
      }
      const names = objects(K8sTesting.synth(scope.chart), 'Deployment')[0].spec.template.spec.volumes.map((v: any) => v.name);
      expect(names).toHaveLength(2);
      expect(new Set(names).size).toBe(2);
      for (const n of names) expect(n).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
    });

    test('refuses a workload of another namespace', () => {
      const scope = newScope();
      const issuer = newIssuer(scope);
      const cert = new ShortLivedCertificate(scope.chart, 'payments-mtls', { issuer, dnsNames: ['mtls.payments.services.internal'] });
      const other = new kplus.Deployment(new Chart(K8sTesting.app(), 'c', { namespace: 'web' }), 'app', { containers: [{ image: 'nginx' }] });
      expect(errorOf(() => cert.mount(other))).toMatch(/cannot mount into workload 'c\/app' of namespace 'web'; the Secret lives in 'payments'/);
      const empty = new kplus.Deployment(scope.chart, 'empty', { metadata: { namespace: 'payments' } });
      expect(errorOf(() => cert.mount(empty))).toMatch(/has no container yet/);
    });
  });

  describe('hostile and careless input', () => {
    test('a hand-made ITenantIssuer is refused (it would yield a 10-year *.google.com certificate)', () => {
      const scope = newScope();
      const real = newIssuer(scope);
      const forged = Object.create(real, {
        domains: { value: ['google.com'] }, maxDuration: { value: Duration.days(3650) }, allowWildcards: { value: true },
      });
      expect(errorOf(() => new ShortLivedCertificate(scope.chart, 'evil', { issuer: forged, dnsNames: ['*.google.com'], duration: Duration.days(3650) })))
        .toMatch(/ShortLivedCertificate 'pki\/evil': 'issuer' \(vault-services\) was not made by this library; pass a TenantIssuer/);
    });

    test("a certificate in another cluster than its Issuer's is refused (an Issuer serves its own cluster)", () => {
      const scope = newScope();
      const issuer = newIssuer(scope);
      const other = new ClusterChart(K8sTesting.app(), 'edge', { cluster: new PkiCluster(scope.vault, 'edge', { kubernetesHost: 'https://api.edge.internal:6443' }), ruleLabels: {} });
      expect(errorOf(() => new ShortLivedCertificate(other, 'web', { issuer, dnsNames: ['web.payments.services.internal'] })))
        .toMatch(/'issuer' \(payments\/vault-services\) lives in cluster 'primary', but this certificate is in cluster 'edge'/);
    });

    test('two Certificates of one namespace may not share a name or a Secret', () => {
      const scope = newScope();
      const issuer = newIssuer(scope);
      new ShortLivedCertificate(scope.chart, 'web', { issuer, dnsNames: ['web.payments.services.internal'] });
      expect(errorOf(() => new ShortLivedCertificate(scope.chart, 'api', { issuer, dnsNames: ['api.payments.services.internal'], secretName: 'web-tls' })))
        .toMatch(/'secretName' \(web-tls\) would emit Secret 'payments\/web-tls', which 'pki\/web' already emits in this cluster/);
      expect(errorOf(() => new ShortLivedCertificate(scope.chart, 'web2', { issuer, dnsNames: ['web.payments.services.internal'], certificateName: 'web' })))
        .toMatch(/'certificateName' \(web\) would emit Certificate 'payments\/web'/);
    });

    test('a derived name that is too long names where it comes from', () => {
      const long = `${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.eeeeee`; // 250 characters: valid, but '-tls' is not
      expect(errorOf(() => newCertificate({ certificateName: long })))
        .toMatch(/'secretName' \(a+.*-tls, derived from 'certificateName' \+ '-tls'\) is not a valid Kubernetes name .*; set 'secretName', or shorten 'certificateName'/);
      const scope = newScope();
      const issuer = newIssuer(scope);
      expect(errorOf(() => new ShortLivedCertificate(scope.chart, 'Web', { issuer, dnsNames: ['web.payments.services.internal'] })))
        .toMatch(/'certificateName' \(Web, the construct id\) is not a valid Kubernetes name/);
    });

    test("secretLabels are validated and cannot override the library's own labels", () => {
      expect(errorOf(() => newCertificate({ secretLabels: { 'a b': 'c' } }))).toMatch(/'secretLabels' key 'a b' is not a label key/);
      expect(errorOf(() => newCertificate({ secretLabels: { 'app.kubernetes.io/managed-by': 'me' } })))
        .toMatch(/'secretLabels' key 'app.kubernetes.io\/managed-by' is the library's own label/);
    });
  });

  describe('errors (H11)', () => {
    const invalid = (props: Partial<ShortLivedCertificateProps>, issuerProps: Partial<TenantProps> = {}) =>
      errorOf(() => newCertificate(props, issuerProps));

    test('duration above the tenant max (and so above 48h)', () => {
      expect(invalid({ duration: Duration.hours(25) }))
        .toBe("ShortLivedCertificate 'pki/payments-mtls': 'duration' (25h) must not exceed the tenant's 'maxDuration' (24h); lower 'duration' or raise 'maxDuration'");
      expect(invalid({ duration: Duration.hours(72) }, { maxDuration: Duration.hours(48) })).toMatch(/'duration' \(72h\) must not exceed the tenant's 'maxDuration' \(48h\)/);
      expect(invalid({ duration: Duration.minutes(30) })).toMatch(/'duration' \(30m\) must be at least 1h/);
    });

    test('renewBefore >= duration, or below cert-manager\'s minimum', () => {
      expect(invalid({ renewBefore: Duration.hours(24) })).toMatch(/'renewBefore' \(24h\) must be shorter than 'duration' \(24h\); lower 'renewBefore'/);
      expect(invalid({ duration: Duration.hours(2), renewBefore: Duration.hours(3) })).toMatch(/'renewBefore' \(3h\) must be shorter than 'duration' \(2h\)/);
      expect(invalid({ renewBefore: Duration.minutes(1) })).toMatch(/'renewBefore' \(1m\) must be at least 5m/);
    });

    test('wildcard or foreign DNS names, the bare domain, invalid names, nothing named', () => {
      expect(invalid({ dnsNames: ['*.payments.services.internal'] }))
        .toMatch(/'dnsNames' \(\*.payments.services.internal\) is a wildcard; issuer 'payments\/vault-services' does not allow wildcards/);
      expect(invalid({ dnsNames: ['auth.services.internal'] }))
        .toMatch(/'dnsNames' \(auth.services.internal\) is outside the tenant's domains \(payments.services.internal\)/);
      expect(invalid({ dnsNames: ['payments.services.internal'] })).toMatch(/is the tenant's domain itself; Vault roles refuse bare domains/);
      expect(invalid({ dnsNames: ['MTLS.payments.services.internal'] })).toMatch(/'dnsNames' \(MTLS.payments.services.internal\) has upper-case letters; use lower case/);
      expect(invalid({ dnsNames: ['a.payments.services.internal', 'a.payments.services.internal'] })).toMatch(/lists 'a.payments.services.internal' twice/);
      expect(invalid({ dnsNames: [] })).toMatch(/the certificate names nothing/);
    });

    test('IP SANs without the tenant opting in; usages the tenant does not allow', () => {
      expect(invalid({ ipAddresses: ['10.0.0.1'] })).toMatch(/the tenant allows no IP SANs; set 'allowedIpRanges'/);
      expect(invalid({ ipAddresses: ['10.9.0.1'] }, { allowedIpRanges: ['10.20.0.0/16'] })).toMatch(/outside the tenant's 'allowedIpRanges' \(10.20.0.0\/16\)/);
      expect(invalid({ ipAddresses: ['not-an-ip'] })).toMatch(/is not an IP address/);
      expect(invalid({ usages: [KeyUsage.SERVER_AUTH] }, { serverAuth: false })).toMatch(/'usages' \(server auth\) is not allowed by issuer/);
    });

    test('a missing issuer (e.g. null from another jsii language) is the library\'s error, not a TypeError', () => {
      expect(errorOf(() => new ShortLivedCertificate(newScope().chart, 'c', { issuer: undefined as any, dnsNames: ['a.b.c'] })))
        .toBe("ShortLivedCertificate 'pki/c': 'issuer' is missing; pass a TenantIssuer");
    });

    test('invalid names and history limit', () => {
      expect(invalid({ certificateName: 'Web' })).toMatch(/'certificateName' \(Web\) is not a valid Kubernetes name/);
      expect(invalid({ secretName: 'web_tls' })).toMatch(/'secretName' \(web_tls\)/);
      expect(invalid({ revisionHistoryLimit: 0 })).toMatch(/'revisionHistoryLimit' \(0\) must be a whole number of at least 1/);
    });
  });
});
