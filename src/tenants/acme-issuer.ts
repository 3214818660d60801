import { ApiObject, Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { AcmeServer } from './acme-server';
import { AcmeSolver } from './acme-solver';
import { grantToCertManager } from './cert-manager-grant';
import { ClusterCertificateRequestPolicy } from './tenant-certificate-request-policy';
import { ApprovalRollout, PUBLIC_ISSUER } from '../cluster/approval-rollout';
import { ClusterChart } from '../cluster/cluster-chart';
import { withoutNamespace } from '../core/cluster-scoped';
import { Dns } from '../core/dns';
import { Problems } from '../core/errors';
import { KeyAlgorithm, KeyAlgorithmFamily } from '../core/key-algorithm';
import { MIN_KEY_BITS } from '../core/key-minimums';
import { KubernetesNames, ObjectClaim } from '../core/kubernetes-names';
import { PkiNames } from '../core/names';
import { Urls } from '../core/urls';
import {
  CertificateRequestPolicySpecAllowedUsages, CertificateRequestPolicySpecConstraintsPrivateKeyAlgorithm,
} from '../imports/approver-policy-policy.cert-manager.io';
import { Issuer, IssuerProps, IssuerSpec, toJson_IssuerProps } from '../imports/issuer-cert-manager.io';
import { PublicCertificateAlerts } from '../monitoring/public-certificate-alerts';

/** Props of {@link AcmeIssuer}. */
export interface AcmeIssuerProps {
  /**
   * The public DNS zones its certificates may name (`example.com`): the policy allows every name under them, never
   * anything else.
   */
  readonly zones: string[];

  /** How the CA verifies the names: HTTP-01 through an ingress class, DNS-01 through a DNS provider (wildcards need DNS-01). */
  readonly solvers: AcmeSolver[];

  /**
   * Namespace of the Issuer (a namespaced Issuer: only Certificates and Ingresses of that namespace can use it).
   * Required unless `clusterIssuer`.
   * @default - none (required for a namespaced Issuer)
   */
  readonly namespace?: string;

  /**
   * Make a ClusterIssuer instead (usable from any namespace by cert-manager, which is why the policy still admits
   * only `namespaces`). Only when several namespaces must share one ACME account.
   * @default false
   */
  readonly clusterIssuer?: boolean;

  /**
   * The namespaces whose requests a ClusterIssuer's policy approves (RBAC `use` is granted there only). A namespaced
   * Issuer's policy admits its own namespace only.
   * @default - the Issuer's namespace (required for a ClusterIssuer)
   */
  readonly namespaces?: string[];

  /**
   * Name of the Issuer or ClusterIssuer (what `cert-manager.io/issuer` / `cert-manager.io/cluster-issuer` annotations
   * name). Give an existing issuer's name to take it over.
   * @default 'letsencrypt'
   */
  readonly issuerName?: string;

  /**
   * The ACME CA.
   * @default AcmeServer.LETS_ENCRYPT
   */
  readonly server?: AcmeServer;

  /**
   * The ACME account's contact e-mail (expiry warnings from the CA).
   * @default - no contact
   */
  readonly email?: string;

  /**
   * The Secret cert-manager creates the ACME account key in (the Issuer's namespace; cert-manager's namespace for a
   * ClusterIssuer).
   * @default - `<issuerName>-acme-account`
   */
  readonly accountKeySecretName?: string;

  /**
   * Also allow the zones themselves (`example.com`), not only names under them.
   * @default false
   */
  readonly allowApex?: boolean;

  /**
   * Allow wildcard names (`*.example.com`); needs a DNS-01 solver for every zone.
   * @default false
   */
  readonly allowWildcards?: boolean;

  /**
   * The key every request must have (the policy's `constraints.privateKey`: this algorithm, at least this size).
   * cert-manager's default, and what every ingress-shim Certificate without a `cert-manager.io/private-key-algorithm`
   * annotation requests, is RSA 2048.
   * @default KeyAlgorithm.rsa(2048)
   */
  readonly keyAlgorithm?: KeyAlgorithm;

  /**
   * Emit the alerts of its certificates (a PrometheusRule with the ClusterChart's rule labels).
   * @default true
   */
  readonly alerts?: boolean;

  /**
   * Namespace of the alerts' PrometheusRule.
   * @default 'monitoring'
   */
  readonly alertsNamespace?: string;

  /**
   * Base of the alerts' `runbook_url`.
   * @default 'https://github.com/cdk8s-vault-pki/cdk8s-vault-pki/blob/main/docs/runbooks.md'
   */
  readonly runbookBaseUrl?: string;
}

/** cert-manager's `DefaultKeyUsages()` plus server auth: what ingress-shim Certificates and `cert-manager.io/usages` ask for. */
const PUBLIC_USAGES = ['digital signature', 'key encipherment', 'server auth'];

/** A ClusterIssuer, typed as cert-manager's Issuer (the same spec), never carrying its Chart's namespace. */
class ClusterIssuerObject extends ApiObject {
  public static readonly GVK = { apiVersion: 'cert-manager.io/v1', kind: 'ClusterIssuer' };

  constructor(scope: Construct, id: string, props: IssuerProps) {
    super(scope, id, { ...ClusterIssuerObject.GVK, ...props });
  }

  public override toJson(): any {
    return withoutNamespace({ ...ClusterIssuerObject.GVK, ...toJson_IssuerProps(super.toJson()) });
  }
}

/**
 * A public ACME issuer (Let's Encrypt by default) beside the private PKI, so that ingress certificates keep being
 * approved once cert-manager's auto-approval is off:
 *
 * - a namespaced Issuer by default (a ClusterIssuer only with `clusterIssuer: true`), its ACME account key in a Secret
 *   cert-manager generates, and the solvers given, each limited to its zones (`selector.dnsZones`);
 * - its own approver-policy CertificateRequestPolicy: DNS names under `zones` (the zones themselves with
 *   `allowApex`, no wildcard unless `allowWildcards`), a common name only among them, no IP, URI or e-mail SANs, no
 *   CA, cert-manager's usages, the key of `keyAlgorithm`; selecting exactly this issuer in exactly `namespaces`.
 *   No `maxDuration`: the CA decides the lifetime (Let's Encrypt: 90 days) and an ingress-shim Certificate carries no
 *   duration, which approver-policy v0.27.0 refuses under any maxDuration (constraints/evaluator.go);
 * - RBAC `use` of the policy for cert-manager in each of those namespaces (approver-policy checks `use` in the
 *   request's namespace); not granted while the cluster's {@link ApprovalRollout} is in OBSERVE, so a taken-over
 *   issuer's existing requests are never denied before the audit is clean;
 * - alerts scaled to the CA's lifetime (`VaultPkiPublicCertificate*`, `VaultPkiPublicIssuerNotReady`).
 *
 * An Ingress annotated `cert-manager.io/issuer: <issuerName>` (or `cert-manager.io/cluster-issuer`) in one of the
 * namespaces gets its certificates approved as cert-manager's ingress-shim builds them
 * (test/public-issuer.test.ts proves it with the approver-policy model).
 */
export class AcmeIssuer extends Construct {
  /** Name of the Issuer or ClusterIssuer. */
  public readonly issuerName: string;
  /** Its kind: `Issuer` or `ClusterIssuer`. */
  public readonly issuerKind: string;
  /** The Issuer's namespace (undefined for a ClusterIssuer). */
  public readonly namespace?: string;
  /** The namespaces whose requests its policy approves. */
  public readonly namespaces: string[];
  /** The public zones. */
  public readonly zones: string[];
  /** The ACME CA. */
  public readonly server: AcmeServer;
  /** The key its certificates must have. */
  public readonly keyAlgorithm: KeyAlgorithm;
  /** Name of its CertificateRequestPolicy. */
  public readonly policyName: string;
  /** The Secret holding the ACME account key. */
  public readonly accountKeySecretName: string;
  /** The lifetime of its certificates (the CA's). */
  public readonly certificateLifetime: Duration;
  /** Whether its policy may be used by cert-manager now (false while the cluster's rollout is in OBSERVE). */
  public readonly policyUsable: boolean;
  /** Whether the zones themselves are allowed. */
  public readonly allowApex: boolean;
  /** Whether wildcard names are allowed. */
  public readonly allowWildcards: boolean;

  constructor(scope: Construct, id: string, props: AcmeIssuerProps) {
    super(scope, id);
    const chart = ClusterChart.containing(this);
    (this as any)[PUBLIC_ISSUER] = true;
    const cluster = props?.clusterIssuer ?? false;
    this.issuerName = props?.issuerName ?? 'letsencrypt';
    this.issuerKind = cluster ? 'ClusterIssuer' : 'Issuer';
    this.namespace = cluster ? undefined : props?.namespace;
    this.namespaces = [...(props?.namespaces ?? (this.namespace !== undefined ? [this.namespace] : []))].sort();
    this.zones = [...(props?.zones ?? [])];
    this.server = props?.server ?? AcmeServer.LETS_ENCRYPT;
    this.keyAlgorithm = props?.keyAlgorithm ?? KeyAlgorithm.rsa(2048);
    this.accountKeySecretName = props?.accountKeySecretName ?? PkiNames.acmeAccountKeySecretName(this.issuerName);
    this.policyName = PkiNames.publicIssuerPolicyName(this.issuerName, this.namespace);
    this.certificateLifetime = this.server.certificateLifetime;
    const rollout = ApprovalRollout.of(this);
    this.policyUsable = rollout?.publicPoliciesUsable ?? true;
    const allowApex = props?.allowApex ?? false;
    const allowWildcards = props?.allowWildcards ?? false;
    this.allowApex = allowApex;
    this.allowWildcards = allowWildcards;
    const solvers = props?.solvers ?? [];
    const alertsNamespace = props?.alertsNamespace ?? 'monitoring';
    const runbookBaseUrl = props?.runbookBaseUrl ?? Urls.RUNBOOK_BASE_URL;

    const problems = new Problems();
    problems.check(!Dns.isSubdomain(this.issuerName), () => `'issuerName' (${this.issuerName}) is not a valid Kubernetes name (RFC 1123 subdomain)`);
    problems.check(!cluster && props?.namespace === undefined, () => "'namespace' is missing: a namespaced Issuer needs one (or set 'clusterIssuer: true' and 'namespaces')");
    problems.check(cluster && props?.namespace !== undefined, () =>
      `'namespace' (${props.namespace}) does not apply to a ClusterIssuer (cluster-scoped); list the namespaces it serves in 'namespaces'`);
    problems.check(cluster && this.namespaces.length === 0, () =>
      "'namespaces' is empty: a ClusterIssuer's policy admits only the namespaces listed; list the namespaces whose Ingresses use it");
    problems.check(!cluster && props?.namespaces !== undefined && (this.namespaces.length !== 1 || this.namespaces[0] !== props.namespace), () =>
      `'namespaces' (${this.namespaces.join(', ')}) must be the Issuer's own namespace: a namespaced Issuer serves only '${props.namespace}'; use 'clusterIssuer: true' to serve several`);
    for (const ns of [...this.namespaces, ...(this.namespace !== undefined ? [this.namespace] : [])]) {
      problems.check(!Dns.isLabel(ns), () => `namespace '${ns}' is not a valid namespace name (RFC 1123 label)`);
    }
    problems.check(new Set(this.namespaces).size !== this.namespaces.length, () => `'namespaces' lists a namespace twice (${this.namespaces.join(', ')})`);
    problems.check(this.zones.length === 0, () => "'zones' is empty: list the public DNS zones its certificates may name (e.g. 'example.com')");
    for (const zone of this.zones) {
      problems.check(!Dns.isName(zone) || Dns.isWildcard(zone) || !zone.includes('.'), () =>
        `zone '${zone}' is not a DNS zone of at least two labels (e.g. example.com); give the zone, not a wildcard or a top-level domain`);
    }
    const overlapping = this.zones.filter((z, i) => this.zones.some((o, j) => i !== j && (z === o || Dns.isUnder(z, o))));
    problems.check(overlapping.length > 0, () => `'zones' overlap (${overlapping.join(', ')}): list each zone once, the parent covers its subdomains`);
    problems.check(solvers.length === 0, () => "'solvers' is empty: give AcmeSolver.http01Ingress(...) or a DNS-01 solver");
    for (const solver of solvers) {
      for (const zone of solver.zones ?? []) {
        problems.check(!this.zones.some((z) => z === zone || Dns.isUnder(zone, z)), () =>
          `solver zone '${zone}' is not one of 'zones' (${this.zones.join(', ')}): a solver can only prove names the policy allows`);
      }
    }
    if (allowWildcards) {
      const dnsZones = solvers.filter((s) => s.challenge === 'dns01').flatMap((s) => s.zones ?? this.zones);
      const uncovered = this.zones.filter((z) => !dnsZones.some((d) => d === z || Dns.isUnder(z, d)));
      problems.check(uncovered.length > 0, () =>
        `'allowWildcards' needs a DNS-01 solver for every zone (the CA proves a wildcard only by DNS-01); none covers ${uncovered.join(', ')}`);
    }
    Urls.problems('server', this.server.url, ['https:'], 'give the ACME directory URL (https)', { allowPath: true }).forEach((p) => problems.add(p));
    problems.check(props?.email !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(props.email), () => `'email' (${props?.email}) is not an e-mail address`);
    problems.check(!Dns.isSubdomain(this.accountKeySecretName), () => `'accountKeySecretName' (${this.accountKeySecretName}) is not a valid Secret name`);
    this.keyAlgorithm._problems('keyAlgorithm', 'a public certificate', MIN_KEY_BITS.leaf).forEach((p) => problems.add(p));
    problems.check(!Dns.isLabel(alertsNamespace), () => `'alertsNamespace' (${alertsNamespace}) is not a valid namespace name (RFC 1123 label)`);
    problems.throwIfAny(this, 'AcmeIssuer');

    const from = `AcmeIssuer '${this.issuerName}'`;
    const fix = 'give each public issuer its own issuerName';
    const claims: ObjectClaim[] = [
      { kind: `cert-manager.io/${this.issuerKind}`, namespace: this.namespace, name: this.issuerName, from, fix },
      { kind: 'policy.cert-manager.io/CertificateRequestPolicy', name: this.policyName, from, fix },
      ...(this.policyUsable ? this.namespaces.map((ns) => ({ kind: 'rbac.authorization.k8s.io/Role', namespace: ns, name: PkiNames.policyUseRoleName(this.issuerName), from, fix })) : []),
      ...((props?.alerts ?? true) ? [{ kind: 'monitoring.coreos.com/PrometheusRule', namespace: alertsNamespace, name: PkiNames.publicIssuerAlertRuleName(this.issuerName, this.namespace), from, fix }] : []),
    ];
    KubernetesNames.claim(this, claims).forEach((p) => problems.add(p));
    problems.throwIfAny(this, 'AcmeIssuer');

    const labels = PkiNames.labels(undefined, this.issuerName);
    const spec: IssuerSpec = {
      acme: {
        server: this.server.url,
        email: props?.email,
        privateKeySecretRef: { name: this.accountKeySecretName },
        solvers: solvers.map((s) => s._render(s.zones ?? this.zones)),
      },
    };
    if (cluster) new ClusterIssuerObject(this, 'issuer', { metadata: { name: this.issuerName, labels }, spec });
    else new Issuer(this, 'issuer', { metadata: { name: this.issuerName, namespace: this.namespace, labels }, spec });

    const zoneNames = this.zones.flatMap((z) => [`*.${z}`, ...(allowApex ? [z] : [])]);
    const inZones = this.zones.map((z) => `self.endsWith('.${z}')${allowApex ? ` || self == '${z}'` : ''}`).join(' || ');
    const noWildcard = "!self.contains('*')";
    const leftmostWildcard = "self.matches('^([*][.])?[^*]+$')";
    const sized = this.keyAlgorithm.family !== KeyAlgorithmFamily.ED25519;
    new ClusterCertificateRequestPolicy(this, 'policy', {
      metadata: { name: this.policyName, labels },
      spec: {
        allowed: {
          dnsNames: {
            values: zoneNames,
            required: true,
            validations: [allowWildcards
              ? { rule: leftmostWildcard, message: `a wildcard is allowed only as the whole leftmost label (*.name) for ${this.issuerKind} ${this.issuerName}` }
              : { rule: noWildcard, message: `wildcard DNS names are not allowed for ${this.issuerKind} ${this.issuerName} (HTTP-01 cannot prove them)` }],
          },
          commonName: {
            value: '*',
            required: false,
            validations: [
              { rule: `${inZones}`, message: `the common name must be a name in ${this.zones.join(', ')}` },
              allowWildcards ? { rule: leftmostWildcard, message: 'a wildcard common name must be *.name' } : { rule: noWildcard, message: 'wildcard common names are not allowed' },
            ],
          },
          usages: PUBLIC_USAGES.map((u) => u as CertificateRequestPolicySpecAllowedUsages),
          isCa: false,
        },
        constraints: {
          privateKey: {
            algorithm: this.keyAlgorithm.family as string as CertificateRequestPolicySpecConstraintsPrivateKeyAlgorithm,
            minSize: sized ? this.keyAlgorithm.size : undefined,
          },
        },
        selector: {
          issuerRef: { name: this.issuerName, kind: this.issuerKind, group: 'cert-manager.io' },
          namespace: { matchNames: [...this.namespaces] },
        },
      },
    });
    if (this.policyUsable) {
      for (const ns of this.namespaces) {
        grantToCertManager(this, `use-${ns}`, {
          name: PkiNames.policyUseRoleName(this.issuerName),
          namespace: ns,
          labels,
          rule: { apiGroups: ['policy.cert-manager.io'], resources: ['certificaterequestpolicies'], resourceNames: [this.policyName], verbs: ['use'] },
          certManagerNamespace: chart.certManagerNamespace,
          certManagerServiceAccount: chart.certManagerServiceAccount,
        });
      }
    }
    if (props?.alerts ?? true) {
      new PublicCertificateAlerts(this, 'alerts', {
        issuerName: this.issuerName,
        issuerNamespace: this.namespace,
        namespaces: this.namespaces,
        certificateLifetime: this.certificateLifetime,
        caName: this.server.name,
        namespace: alertsNamespace,
        runbookBaseUrl,
      });
    }
  }

  /** Whether `name` is a name its policy allows (under a zone; a zone itself with `allowApex`; `*.` only with `allowWildcards`). */
  public allowsName(name: string): boolean {
    const wildcard = Dns.isWildcard(name);
    const bare = wildcard ? name.slice(2) : name;
    return (!wildcard || this.allowWildcards) && Dns.isName(bare) && this.zones.some((z) => Dns.isUnder(bare, z) || (this.allowApex && bare === z)
      || (wildcard && bare === z));
  }
}
