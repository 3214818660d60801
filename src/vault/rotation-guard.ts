import { Duration } from 'cdk8s';
import { Construct } from 'constructs';
import { GenerationState } from './ca-generation';
import { isLive, ResolvedGeneration } from './generation-rules';
import type { PkiMount } from './pki-mount';
import { Durations } from '../core/durations';
import { PkiLimits } from '../core/limits';
import { PkiNames } from '../core/names';
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
}

/** A guard's precondition as Terraform JSON takes it. */
interface Condition {
  readonly condition: string;
  readonly errorMessage: string;
}

/** A whole number of hours in Terraform's duration syntax (`timeadd`), e.g. `72h`. */
const hours = (d: Duration) => `${Durations.seconds(d) / 3600}h`;

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
 * - One `terraform_data` guard with the CA's intended generations (read by ConsistencyCheck) and the preconditions:
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
    vault.overrideLogicalId(p('vault'));
    const live = `local.${p('vault')}`;

    // When each generation was first planned PREPARED (every generation starts so, or is created ACTIVE), and DRAINING.
    const record = (kind: string, g: ResolvedGeneration) => {
      const logicalId = PkiNames.generationId(p(kind), g.generation);
      const r = new TerraformDataResource(this, `${kind}-${g.generation}`, {
        input: { at: '${plantimestamp()}' },
        lifecycle: { ignoreChanges: ['input'] },
      });
      r.overrideLogicalId(logicalId);
      return `terraform_data.${logicalId}.input.at`;
    };
    const preparedAt = new Map(generations.map((g) => [g.generation, record('prepared', g)]));
    const drainingAt = new Map(generations.filter((g) => g.state === GenerationState.DRAINING || g.state === GenerationState.RETIRED)
      .map((g) => [g.generation, record('draining', g)]));

    const active = generations.find((g) => g.state === GenerationState.ACTIVE)!;
    const replacesCompromised = generations.some((g) => g !== active && isLive(g) && g.compromised);
    const propagation = hours(PkiLimits.TRUST_PROPAGATION);
    const drain = hours(PkiLimits.DRAIN_PERIOD);
    const q = (s: string) => JSON.stringify(s);
    const conditions: Condition[] = [];

    // 1. The switch: the ACTIVE generation becomes the default issuer only after it was prepared and propagated.
    const older = generations.some((g) => g.generation < active.generation && isLive(g));
    if (older && !replacesCompromised) {
      const name = nameOf(active.generation);
      const at = preparedAt.get(active.generation)!;
      conditions.push({
        condition: `\${!${live}.exists || ${live}.default == ${q(name)} || (contains(${live}.issuers, ${q(name)}) && ` +
          `timecmp(plantimestamp(), timeadd(${at}, ${q(propagation)})) >= 0)}`,
        errorMessage: `generation ${active.generation} of ${ca} becomes the default issuer of ${path}, but ` +
          `\${contains(${live}.issuers, ${q(name)}) ? "it was prepared only at \${${at}}: trust bundles need ${propagation} to carry it ` +
          `to every workload; apply this phase at or after \${timeadd(${at}, ${q(propagation)})}" : "Vault has no issuer '${name}' yet: apply ` +
          `the phase that makes generation ${active.generation} PREPARED first, and this one ${propagation} later"} ` +
          `(Vault's default issuer is '\${${live}.default}')`,
      });
    }
    for (const g of generations) {
      const name = nameOf(g.generation);
      // 2. Retirement deletes the issuer: only once the default moved away from it, and after the drain period.
      if (g.state === GenerationState.RETIRED) {
        const at = drainingAt.get(g.generation)!;
        const waited = g.compromised ? 'true' : `timecmp(plantimestamp(), timeadd(${at}, ${q(drain)})) >= 0`;
        conditions.push({
          condition: `\${!${live}.exists || !contains(${live}.issuers, ${q(name)}) || (${live}.default != ${q(name)} && ${waited})}`,
          errorMessage: `generation ${g.generation} of ${ca} is RETIRED (its issuer '${name}' in ${path} is deleted), but ` +
            `\${${live}.default == ${q(name)} ? "it is still Vault's default issuer of ${path}: every role signs with it. Apply the phase ` +
            `that makes it DRAINING (${g.compromised ? 'compromised, with a new ACTIVE generation' : 'the switch'}) first` +
            `${g.compromised ? '' : `, and retire it ${drain} later`}" : "it stopped signing only at \${${at}}: leaves it signed live ` +
            `up to ${hours(PkiLimits.LEAF_MAX_DURATION)}; keep it DRAINING until \${timeadd(${at}, ${q(drain)})}"}`,
        });
      }
      // 3. A generation Vault retired (its issuer deleted, its key kept) cannot come back: its key name is taken.
      if (isLive(g)) {
        conditions.push({
          condition: `\${!${live}.exists || contains(${live}.issuers, ${q(name)}) || !contains(${live}.keys, ${q(name)})}`,
          errorMessage: `generation ${g.generation} of ${ca} is ${g.state.toUpperCase()}, but Vault deleted its issuer '${name}' in ${path} ` +
            '(it was RETIRED) and keeps its key: a retired generation cannot come back; add generation ' +
            `${Math.max(...generations.map((o) => o.generation)) + 1} instead`,
        });
      }
    }

    const guard = new TerraformDataResource(this, 'guard', {
      // What the program intends for this CA, for audits and ConsistencyCheck (`rotation-*` rules).
      input: {
        mount: path,
        ca,
        active: nameOf(active.generation),
        generations: Object.fromEntries(generations.map((g) => [nameOf(g.generation), g.compromised ? `${g.state},compromised` : g.state])),
        domains: [...props.domains],
      },
      lifecycle: { precondition: conditions.map((c) => ({ condition: c.condition, errorMessage: c.errorMessage })) },
    });
    guard.overrideLogicalId(p('rotation_guard'));
  }
}
