// Adoption where certificates already exist (README, "Adopting it where certificates exist"): the reference PKI
// (examples/reference) added to a cluster that already runs cert-manager, a Vault ClusterIssuer everyone uses and
// Let's Encrypt for the ingresses, in the three phases of an audit-first rollout. Each phase is a program state that
// applies safely on top of the one before; `cdk8s-vault-pki audit` over a dump of the cluster and the ENFORCE output
// says when the next one is safe. In your own code, import from 'cdk8s-vault-pki' instead of '../../src'.
import * as fs from 'fs';
import * as path from 'path';
import { Duration, Yaml } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import {
  AcmeIssuer, AcmeServer, AcmeSolver, ApprovalPhase, ApprovalRollout, ApprovalSigner, CertificateProbes, CertificateReload, CrlProbes, ProbeTarget,
  PublicCertificate,
} from '../../src';
import { buildReferenceScenario } from '../reference/scenario';

/**
 * The issuers the cluster had before the library, which cert-manager keeps approving during MIGRATE (the guide
 * estate of test/fixtures/estate: one Vault ClusterIssuer for everyone, and a team's own Vault Issuer).
 */
export const LEGACY_ISSUERS = [ApprovalSigner.clusterIssuer('vault-issuer'), ApprovalSigner.issuer('legacy', 'vault-issuer')];

/** Let's Encrypt's intermediates (RSA R10-R14, ECDSA E5-E9) as blackbox exporter reports the issuer of a served leaf. */
export const LETS_ENCRYPT_ISSUER = "CN=(R1[0-4]|E[5-9]),O=Let's Encrypt,C=US";

/**
 * The reference scenario plus, in `phase`: the approval rollout; Let's Encrypt for the shop (a namespaced Issuer, HTTP-01)
 * and the existing `letsencrypt-prod` ClusterIssuer taken over for the shop and marketing ingresses, each with its own
 * approver-policy policy; a public certificate; the payments API mounting its certificate with a rolling restart on
 * renewal; and probes of what the shop's host and the payments API really serve.
 */
export function buildAdoption(k8s: Construct, tf: Construct, phase: ApprovalPhase) {
  const reference = buildReferenceScenario(k8s, tf);
  const { chart } = reference;

  // First: the phase (public issuers read it). MIGRATE keeps cert-manager approving the issuers not yet migrated.
  const rollout = new ApprovalRollout(chart, 'approval', {
    phase,
    legacyIssuers: phase === ApprovalPhase.MIGRATE ? LEGACY_ISSUERS : undefined,
  });

  // The shop's own Let's Encrypt Issuer: names under shop.example.com and the zone itself, HTTP-01 through nginx.
  const shop = new AcmeIssuer(chart, 'shop-letsencrypt', {
    namespace: 'shop',
    zones: ['shop.example.com'],
    allowApex: true,
    email: 'platform@example.com',
    solvers: [AcmeSolver.http01Ingress({ ingressClassName: 'nginx' })],
  });
  // The ClusterIssuer every ingress used (`cert-manager.io/cluster-issuer: letsencrypt-prod`), taken over by name and
  // limited to the namespaces and the zone that use it; wildcards through Route 53.
  new AcmeIssuer(chart, 'letsencrypt-prod', {
    clusterIssuer: true,
    issuerName: 'letsencrypt-prod',
    namespaces: ['shop', 'marketing'],
    zones: ['example.com'],
    allowWildcards: true,
    server: AcmeServer.LETS_ENCRYPT,
    email: 'platform@example.com',
    solvers: [
      AcmeSolver.http01Ingress({ ingressClassName: 'nginx' }),
      AcmeSolver.dns01Route53({ region: 'eu-west-1', hostedZoneId: 'Z0123456789EXAMPLE' }),
    ],
  });
  const storefront = new PublicCertificate(chart, 'storefront', { issuer: shop, dnsNames: ['shop.example.com', 'www.shop.example.com'] });

  // The payments API reads its 24h certificate from the whole volume and restarts when the Secret changes.
  const payments = reference.tenants[0];
  const api = new kplus.Deployment(chart, 'payments-api', {
    metadata: { name: 'api', namespace: 'payments' },
    containers: [{ name: 'api', image: 'registry.example.com/payments/api:1.4.2', portNumber: 8443 }],
  });
  payments.certificate.mount(api, { reload: CertificateReload.rollingRestart() });

  // What the endpoints really serve, compared with their Secrets.
  const publicProbes = new CertificateProbes(chart, 'served-public', {
    targets: [ProbeTarget.host('shop.example.com', { secretNamespace: 'shop', secretName: storefront.secretName })],
    expectedIssuer: LETS_ENCRYPT_ISSUER,
    renewBefore: Duration.days(30),
    module: 'vault_pki_tls_public',
  });
  const internalProbes = new CertificateProbes(chart, 'served-internal', {
    targets: [ProbeTarget.service('payments', 'api', { port: 8443, secretNamespace: 'payments', secretName: payments.certificate.secretName })],
    expectedIssuer: 'CN=services intermediate CA( g[0-9]+)?',
    renewBefore: payments.certificate.renewBefore,
    trustBundleFile: '/etc/trust-bundle/ca-bundle.crt',
  });
  // The CRLs of the hierarchy's mounts, as clients fetch them: fresh, fetchable, and rebuilt before they expire.
  const crlProbes = new CrlProbes(chart, 'crls', {
    urls: [reference.pki.root.mountPath, ...reference.pki.intermediates.map((i) => i.mountPath)].map((m) => reference.vault.crlUrl(m)),
  });
  return { ...reference, rollout, shop, storefront, api, publicProbes, internalProbes, crlProbes };
}

/** Writes the Helm values of the phase: cert-manager's approval settings and blackbox exporter's modules. */
export function writeHelmValues(built: ReturnType<typeof buildAdoption>, dir = 'helm'): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'cert-manager.values.yaml'), Yaml.stringify(built.rollout.certManagerHelmValues));
  fs.writeFileSync(path.join(dir, 'prometheus-blackbox-exporter.values.yaml'), Yaml.stringify({
    config: {
      modules: {
        [built.publicProbes.module]: built.publicProbes.blackboxModule,
        [built.internalProbes.module]: built.internalProbes.blackboxModule,
        [built.crlProbes.module]: built.crlProbes.blackboxModule,
      },
    },
  }));
}
