import { ConsistencyFindingKind, ConsistencyRule } from '../consistency-rule';
import { describeObject, goDurationSeconds, OutputIndex } from '../output-index';

/** cert-manager's defaults when a Certificate leaves them out (cert-manager v1.21.1 `pkg/apis/certmanager/v1` docs). */
const CERT_MANAGER_DEFAULT_DURATION = 90 * 24 * 3600;
const DEFAULT_SIZE: Record<string, number> = { RSA: 2048, ECDSA: 256, Ed25519: 0 };
/** Vault role `key_type` per cert-manager algorithm, and Vault's default `key_bits` (0 = the type's default). */
const VAULT_KEY_TYPE: Record<string, string> = { RSA: 'rsa', ECDSA: 'ec', Ed25519: 'ed25519' };
const VAULT_DEFAULT_BITS: Record<string, number> = { rsa: 2048, ec: 256, ed25519: 0 };

interface CertificateContext {
  readonly certificate: any;
  readonly object: string;
  readonly namespace: string;
  /** The namespaced cert-manager Issuer it names, when it names one that exists. */
  readonly issuer?: any;
}

function certificates(index: OutputIndex): CertificateContext[] {
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
  const algorithm = certificate.spec?.privateKey?.algorithm ?? 'RSA';
  return { algorithm, size: certificate.spec?.privateKey?.size ?? DEFAULT_SIZE[algorithm] ?? 0 };
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
        for (const policy of index.policiesSelecting(c.namespace, c.issuer.metadata.name)) {
          const constraint = policy.spec?.constraints?.privateKey;
          if (!constraint) continue;
          const problems = [
            constraint.algorithm !== undefined && constraint.algorithm !== key.algorithm ? `algorithm ${constraint.algorithm}` : '',
            constraint.minSize !== undefined && key.size < constraint.minSize ? `minSize ${constraint.minSize}` : '',
            constraint.maxSize !== undefined && key.size > constraint.maxSize ? `maxSize ${constraint.maxSize}` : '',
          ].filter(Boolean);
          if (problems.length > 0) {
            report(c.object, `key ${key.algorithm} ${key.size} is refused by CertificateRequestPolicy '${policy.metadata?.name}' (${problems.join(', ')})`);
          }
        }
        const role = index.roleOfIssuer(c.issuer);
        if (!role) continue;
        const type = String(index.resolve(role.stack, role.body.key_type ?? 'rsa'));
        if (type === 'any') continue;
        const rawBits = Number(index.resolve(role.stack, role.body.key_bits ?? 2048));
        const bits = rawBits === 0 ? VAULT_DEFAULT_BITS[type] : rawBits;
        if (VAULT_KEY_TYPE[key.algorithm] !== type || (type !== 'ed25519' && bits !== key.size)) {
          report(c.object, `key ${key.algorithm} ${key.size} is refused by Vault role '${role.body.name}' (key_type ${type}, key_bits ${bits})`);
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
        for (const policy of index.policiesSelecting(c.namespace, c.issuer.metadata.name)) {
          const max = goDurationSeconds(policy.spec?.constraints?.maxDuration);
          if (max !== undefined && duration > max) {
            report(c.object, `duration ${spec ?? '2160h (cert-manager default)'} exceeds maxDuration ${policy.spec.constraints.maxDuration} of CertificateRequestPolicy '${policy.metadata?.name}'`);
          }
        }
        const role = index.roleOfIssuer(c.issuer);
        const maxTtl = role ? Number(index.resolve(role.stack, role.body.max_ttl)) : NaN;
        if (Number.isFinite(maxTtl) && maxTtl > 0 && duration > maxTtl) {
          report(c.object, `duration ${spec ?? '2160h (cert-manager default)'} exceeds max_ttl ${maxTtl}s of Vault role '${role!.body.name}' (Vault would shorten it)`);
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
