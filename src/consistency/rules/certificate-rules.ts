import { ConsistencyFindingKind, ConsistencyRule } from '../consistency-rule';
import { describeObject, goDurationSeconds, OutputIndex } from '../output-index';
import { durationProblems, keyProblems, requestedKey } from './request-checks';

/** cert-manager's default duration when a Certificate leaves it out (cert-manager v1.21.1 `pkg/apis/certmanager/v1` docs). */
const CERT_MANAGER_DEFAULT_DURATION = 90 * 24 * 3600;

interface CertificateContext {
  readonly certificate: any;
  readonly object: string;
  readonly namespace: string;
  /** The namespaced cert-manager Issuer it names, when it names one that exists. */
  readonly issuer?: any;
}

/** Each index's Certificates with their context, built once for the rules that read them. */
const contexts = new WeakMap<OutputIndex, CertificateContext[]>();

function certificates(index: OutputIndex): CertificateContext[] {
  let found = contexts.get(index);
  if (!found) {
    found = certificateContexts(index);
    contexts.set(index, found);
  }
  return found;
}

function certificateContexts(index: OutputIndex): CertificateContext[] {
  return index.objects('cert-manager.io/v1', 'Certificate').map((certificate) => {
    const namespace = certificate.metadata?.namespace ?? '';
    const ref = certificate.spec?.issuerRef ?? {};
    const namespaced = (ref.kind ?? 'Issuer') === 'Issuer' && (ref.group ?? 'cert-manager.io') === 'cert-manager.io';
    return {
      certificate,
      object: describeObject(certificate),
      namespace,
      issuer: namespaced ? index.object('cert-manager.io/v1', 'Issuer', namespace, ref.name) : undefined,
    };
  });
}

/** The key a Certificate asks for, with cert-manager's defaults filled in. */
function keyOf(certificate: any): { algorithm: string; size: number } {
  return requestedKey(certificate.spec?.privateKey?.algorithm, certificate.spec?.privateKey?.size);
}

export const CERTIFICATE_RULES: ConsistencyRule[] = [
  {
    id: ConsistencyFindingKind.CERTIFICATE_ISSUER,
    description: "Every Certificate's issuerRef names an Issuer (or ClusterIssuer) in the manifests",
    check(index, report) {
      for (const c of certificates(index)) {
        const ref = c.certificate.spec?.issuerRef ?? {};
        if ((ref.group ?? 'cert-manager.io') !== 'cert-manager.io') continue; // external issuers are out of scope
        const kind = ref.kind ?? 'Issuer';
        const found = kind === 'ClusterIssuer' ? index.object('cert-manager.io/v1', 'ClusterIssuer', undefined, ref.name) : c.issuer;
        if (!found) {
          report(c.object, `issuerRef ${kind} '${ref.name}' does not exist${kind === 'Issuer' ? ` in namespace '${c.namespace}'` : ''} in the manifests`);
        }
      }
    },
  },
  {
    id: ConsistencyFindingKind.CERTIFICATE_KEY_ALGORITHM,
    description: "Every Certificate's key algorithm and size are the ones its CertificateRequestPolicy and its Vault role accept",
    check(index, report) {
      for (const c of certificates(index)) {
        if (!c.issuer?.spec?.vault) continue;
        const key = keyOf(c.certificate);
        const policies = index.policiesUsableBy(index.certManagerServiceAccount, c.namespace, c.issuer.metadata.name);
        for (const problem of keyProblems(index, key, policies, index.roleOfIssuer(c.issuer))) {
          report(c.object, problem);
        }
      }
    },
  },
  {
    id: ConsistencyFindingKind.CERTIFICATE_DURATION,
    description: "Every Certificate's duration is within its CertificateRequestPolicy's maxDuration and its Vault role's max_ttl",
    check(index, report) {
      for (const c of certificates(index)) {
        if (!c.issuer?.spec?.vault) continue;
        const spec = c.certificate.spec?.duration;
        const duration = spec === undefined ? CERT_MANAGER_DEFAULT_DURATION : goDurationSeconds(spec);
        if (duration === undefined) {
          report(c.object, `duration '${spec}' is not a Go duration`);
          continue;
        }
        const policies = index.policiesUsableBy(index.certManagerServiceAccount, c.namespace, c.issuer.metadata.name);
        for (const problem of durationProblems(index, duration, spec ?? '2160h (cert-manager default)', policies, index.roleOfIssuer(c.issuer))) {
          report(c.object, problem);
        }
      }
    },
  },
  {
    id: ConsistencyFindingKind.CERTIFICATE_SECRET,
    description: 'No two Certificates write the same Secret',
    check(index, report) {
      const owners = new Map<string, string>();
      for (const c of certificates(index)) {
        const key = `${c.namespace}/${c.certificate.spec?.secretName}`;
        const owner = owners.get(key);
        if (owner !== undefined) report(c.object, `writes Secret '${key}', which ${owner} writes too: give each Certificate its own secretName`);
        else owners.set(key, c.object);
      }
    },
  },
];
