// What a certificate request asks for (key, lifetime) against the policies and the Vault role that judge it: shared by
// Certificates and csi-driver volumes.
import { goDurationSeconds, OutputIndex, TerraformResource } from '../output-index';

/** cert-manager's default key size per algorithm (cert-manager v1.21.1 `pkg/apis/certmanager/v1` docs; csi-driver the same). */
const DEFAULT_SIZE: Record<string, number> = { RSA: 2048, ECDSA: 256, Ed25519: 0 };
/** Vault role `key_type` per cert-manager algorithm, and Vault's default `key_bits` (0 = the type's default). */
const VAULT_KEY_TYPE: Record<string, string> = { RSA: 'rsa', ECDSA: 'ec', Ed25519: 'ed25519' };
const VAULT_DEFAULT_BITS: Record<string, number> = { rsa: 2048, ec: 256, ed25519: 0 };
const CANONICAL: Record<string, string> = { rsa: 'RSA', ecdsa: 'ECDSA', ed25519: 'Ed25519' };

/**
 * approver-policy approves a request when one policy the requester may use allows it: the problems `problemOf` finds in
 * each policy, reported only when every policy has one (none when there are no policies: another rule reports that).
 * @internal
 */
export function refusedByEvery(policies: any[], problemOf: (policy: any) => string | undefined): string[] {
  const problems = policies.map(problemOf);
  return problems.some((p) => p === undefined) ? [] : problems as string[];
}

/** A requested key: cert-manager's algorithm name (any case) and size, defaults filled in. @internal */
export function requestedKey(algorithm: string | undefined, size: number | string | undefined): { algorithm: string; size: number } {
  const canonical = CANONICAL[String(algorithm ?? 'RSA').toLowerCase()] ?? String(algorithm);
  return { algorithm: canonical, size: size !== undefined && size !== '' ? Number(size) : DEFAULT_SIZE[canonical] ?? 0 };
}

/**
 * Why the CertificateRequestPolicies (their `constraints.privateKey`) and the Vault role would refuse `key`, one message each.
 * @internal
 */
export function keyProblems(index: OutputIndex, key: { algorithm: string; size: number }, policies: any[], role?: TerraformResource): string[] {
  const problems = refusedByEvery(policies, (policy) => {
    const constraint = policy.spec?.constraints?.privateKey;
    if (!constraint) return undefined;
    const why = [
      constraint.algorithm !== undefined && constraint.algorithm !== key.algorithm ? `algorithm ${constraint.algorithm}` : '',
      constraint.minSize !== undefined && key.size < constraint.minSize ? `minSize ${constraint.minSize}` : '',
      constraint.maxSize !== undefined && key.size > constraint.maxSize ? `maxSize ${constraint.maxSize}` : '',
    ].filter(Boolean);
    return why.length > 0 ? `key ${key.algorithm} ${key.size} is refused by CertificateRequestPolicy '${policy.metadata?.name}' (${why.join(', ')})` : undefined;
  });
  if (role) {
    const type = String(index.resolve(role.stack, role.body.key_type ?? 'rsa'));
    if (type !== 'any') {
      const rawBits = Number(index.resolve(role.stack, role.body.key_bits ?? 2048));
      const bits = rawBits === 0 ? VAULT_DEFAULT_BITS[type] : rawBits;
      if (VAULT_KEY_TYPE[key.algorithm] !== type || (type !== 'ed25519' && bits !== key.size)) {
        problems.push(`key ${key.algorithm} ${key.size} is refused by Vault role '${role.body.name}' (key_type ${type}, key_bits ${bits})`);
      }
    }
  }
  return problems;
}

/**
 * Why the CertificateRequestPolicies (`constraints.maxDuration`) and the Vault role (`max_ttl`, which would silently
 * shorten it) would not grant `seconds`; `shown` is how the message names the duration (e.g. `24h`).
 * @internal
 */
export function durationProblems(index: OutputIndex, seconds: number, shown: string, policies: any[], role?: TerraformResource): string[] {
  const problems = refusedByEvery(policies, (policy) => {
    const max = goDurationSeconds(policy.spec?.constraints?.maxDuration);
    return max !== undefined && seconds > max
      ? `duration ${shown} exceeds maxDuration ${policy.spec.constraints.maxDuration} of CertificateRequestPolicy '${policy.metadata?.name}'` : undefined;
  });
  const maxTtl = role ? Number(index.resolve(role.stack, role.body.max_ttl)) : NaN;
  if (Number.isFinite(maxTtl) && maxTtl > 0 && seconds > maxTtl) {
    problems.push(`duration ${shown} exceeds max_ttl ${maxTtl}s of Vault role '${role!.body.name}' (Vault would shorten it)`);
  }
  return problems;
}
