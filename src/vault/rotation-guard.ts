import { Construct } from 'constructs';
import { GenerationState } from './ca-generation';
import { ResolvedGeneration } from './generation-rules';
import type { PkiMount } from './pki-mount';
import { PkiNames } from '../core/names';
import { RotationGuardInput, RotationIds, rotationConditions } from '../core/rotation-conditions';
import {
  DataVaultGenericSecret, DataVaultPkiSecretBackendIssuers, DataVaultPkiSecretBackendKeys, TerraformDataResource, TerraformLocal,
  TerraformToken,
} from '../terraform';

/** Props of {@link CaRotationGuard}. @internal */
export interface CaRotationGuardProps {
  /** The CA's mount. */
  readonly mount: PkiMount;
  /** The CA for messages: `the root` or `intermediate 'services'`. */
  readonly ca: string;
  /** Every generation the program lists (RETIRED ones included), resolved. */
  readonly generations: readonly ResolvedGeneration[];
  /** The name of a generation's Vault issuer and key in the mount. */
  readonly nameOf: (generation: number) => string;
  /** The CA's domains (its name constraints), recorded for audits; none for a root. */
  readonly domains: readonly string[];
  /**
   * For an intermediate: per live generation, the serial of its certificate (a Terraform reference) in the root's mount,
   * read back at plan time to see whether Vault revoked it.
   * @default - none (a root)
   */
  readonly signatures?: { readonly generation: number; readonly serial: string; readonly rootMount: string }[];
}

/**
 * The plan-time guards of one CA's rotation: what makes a phase safe whatever order the phases reach `terraform apply`
 * in (two commits batched into one run, a pipeline that skipped a run, a phase applied twice or backwards), checked by
 * `terraform plan` itself against Vault's live state and the real clock, so that a plan which would skip a phase or cut a
 * waiting time short fails before anything is applied, with a message naming the phase to apply first.
 *
 * What it emits into the CA's stack:
 * - Vault's live state, read at plan time (data sources whose configuration is literal, so Terraform reads them during
 *   the plan, never deferred to the apply): the stack's `sys/mounts` (does the mount exist? one per stack, see
 *   `VaultPkiStack`), the mount's `config/issuers` (its default issuer), its issuers and keys (by name). Each is read only
 *   when the one before says there is something to read (`count`), so a fresh install reads nothing that does not exist.
 * - Per generation, when it was first planned as PREPARED, and when as DRAINING: `terraform_data` records whose input is
 *   `plantimestamp()` with `ignore_changes`, so later plans keep the first time (Terraform state is the memory of what was
 *   applied, Terraform's own clock is the time). Their `input` is known at plan time even when they are new.
 * - One `terraform_data` guard recording the CA's intended generations, with the preconditions `rotationConditions`
 *   derives from that record (ConsistencyCheck derives them again and finds a guard an escape hatch changed):
 *   1. a generation becomes the default issuer only if it already exists in Vault and was prepared at least
 *      `PkiLimits.TRUST_PROPAGATION` ago (unless Vault's default is already it, or it replaces a compromised one);
 *   2. a generation is deleted (RETIRED) only if Vault's default issuer is another one and it drained for
 *      `PkiLimits.DRAIN_PERIOD` (no wait when compromised);
 *   3. a generation whose issuer Vault no longer has but whose key it still holds was retired: it cannot come back.
 * A fresh install (the mount not in Vault yet) passes every guard: nothing can break where nothing exists.
 * @internal
 */
export class CaRotationGuard extends Construct {
  constructor(scope: Construct, id: string, props: CaRotationGuardProps) {
    super(scope, id);
    const { mount, ca, generations, nameOf } = props;
    const path = mount.path;
    const prefix = mount.logicalId('').replace(/_$/, '');
    const exists = mount.vault._vaultMountExists(path);
    const p = (kind: string) => mount.logicalId(kind);

    // Vault's live state of the mount, read at plan time, each read gated by the one before.
    const config = new DataVaultGenericSecret(this, 'config-issuers', {
      path: `${path}/config/issuers`,
      count: TerraformToken.asNumber(`\${${exists} ? 1 : 0}`),
    });
    config.overrideLogicalId(p('vault_config_issuers'));
    const defaultId = new TerraformLocal(this, 'default-issuer-id',
      `\${try(nonsensitive(jsondecode(one(data.vault_generic_secret.${p('vault_config_issuers')}[*].data_json)).default), "")}`);
    defaultId.overrideLogicalId(p('vault_default_issuer_id'));
    const hasIssuers = `local.${p('vault_default_issuer_id')} != ""`;
    const issuers = new DataVaultPkiSecretBackendIssuers(this, 'issuers', {
      backend: path,
      count: TerraformToken.asNumber(`\${${hasIssuers} ? 1 : 0}`),
    });
    issuers.overrideLogicalId(p('vault_issuers'));
    const keys = new DataVaultPkiSecretBackendKeys(this, 'keys', {
      backend: path,
      count: TerraformToken.asNumber(`\${${hasIssuers} ? 1 : 0}`),
    });
    keys.overrideLogicalId(p('vault_keys'));
    const issuerInfo = `try(jsondecode(one(data.vault_pki_secret_backend_issuers.${p('vault_issuers')}[*].key_info_json)), {})`;
    const keyInfo = `try(jsondecode(one(data.vault_pki_secret_backend_keys.${p('vault_keys')}[*].key_info_json)), {})`;
    const vault = new TerraformLocal(this, 'vault', {
      exists: `\${${exists}}`,
      default: `\${try(${issuerInfo}[local.${p('vault_default_issuer_id')}].issuer_name, "")}`,
      issuers: `\${[for id, issuer in ${issuerInfo} : issuer.issuer_name]}`,
      keys: `\${[for id, key in ${keyInfo} : key.key_name]}`,
    });
    vault.overrideLogicalId(RotationIds.vault(prefix));

    // When each generation was first planned PREPARED (every generation starts so, or is created ACTIVE), and DRAINING.
    const record = (logicalId: string, constructId: string) => {
      const r = new TerraformDataResource(this, constructId, {
        input: { at: '${plantimestamp()}' },
        lifecycle: { ignoreChanges: ['input'] },
      });
      r.overrideLogicalId(logicalId);
    };
    for (const g of generations) {
      record(RotationIds.prepared(prefix, g.generation), `prepared-${g.generation}`);
      if (g.state === GenerationState.DRAINING || g.state === GenerationState.RETIRED) {
        record(RotationIds.draining(prefix, g.generation), `draining-${g.generation}`);
      }
    }

    // Whether Vault revoked a live generation's certificate (`<root mount>/cert/<serial>`, revocation_time_rfc3339, Vault
    // >= 1.13): read for existing generations at plan time (a new one's serial is unknown: read at apply, never revoked).
    const revocations: Record<string, string> = {};
    for (const sig of props.signatures ?? []) {
      const read = new DataVaultGenericSecret(this, `revocation-${sig.generation}`, {
        path: `${sig.rootMount}/cert/${sig.serial}`,
        count: TerraformToken.asNumber(`\${${mount.vault._vaultMountExists(sig.rootMount)} ? 1 : 0}`),
      });
      const readId = PkiNames.generationId(p('vault_revocation'), sig.generation);
      read.overrideLogicalId(readId);
      revocations[nameOf(sig.generation)] = `try(nonsensitive(jsondecode(one(data.vault_generic_secret.${readId}[*].data_json)).revocation_time_rfc3339), "")`;
    }

    const active = generations.find((g) => g.state === GenerationState.ACTIVE)!;
    const input: RotationGuardInput = {
      mount: path,
      ca,
      prefix,
      active: nameOf(active.generation),
      generations: generations.map((g) => ({ generation: g.generation, name: nameOf(g.generation), state: g.state, compromised: g.compromised })),
      domains: [...props.domains],
      revocations,
    };
    const guard = new TerraformDataResource(this, 'guard', {
      // What the program intends for this CA: for audits, and for ConsistencyCheck's `rotation-guard` rule.
      input: input as any,
      lifecycle: { precondition: rotationConditions(input).map((c) => ({ condition: c.condition, errorMessage: c.error_message })) },
    });
    guard.overrideLogicalId(RotationIds.guard(prefix));
  }
}
