import { IConstruct } from 'constructs';
import { parseTimestamp } from './timestamps';

/** The context key that fixes the time rotation rules compare with (ISO 8601), for tests and reproducible builds. */
export const NOW_CONTEXT = 'cdk8s-vault-pki:now';

/**
 * The time the rotation rules compare timestamps with: the context value `cdk8s-vault-pki:now` of `scope`'s tree
 * when set, else the time of synthesis. It only decides whether a program is accepted, never what it synthesizes,
 * so accepted output stays byte-identical across runs. It is fast feedback, not the safety net: a program can set the
 * context, so the waiting times are enforced again by `terraform plan` against the real clock (`plantimestamp()`) and
 * Vault's live state (see `CaRotationGuard`).
 * @internal
 */
export function rotationNow(scope: IConstruct): number {
  const fixed = scope.node.tryGetContext(NOW_CONTEXT);
  if (fixed === undefined) return Date.now();
  const t = parseTimestamp(String(fixed));
  if (Number.isNaN(t)) throw new Error(`context '${NOW_CONTEXT}' (${fixed}) is not an ISO 8601 timestamp`);
  return t;
}
