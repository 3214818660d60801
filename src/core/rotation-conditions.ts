import { Duration } from 'cdk8s';
import { Durations } from './durations';
import { PkiLimits } from './limits';

/**
 * One generation of a CA as its rotation guard records it (`terraform_data.<ca>_rotation_guard.input.generations`):
 * plain values, so the construct that emits the guard and ConsistencyCheck, which proves it is intact, derive the same
 * preconditions from it.
 * @internal
 */
export interface GuardedGeneration {
  readonly generation: number;
  /** The name of its Vault issuer and key in the mount (`services`, `services-g2`). */
  readonly name: string;
  /** `prepared`, `active`, `draining` or `retired` (GenerationState's values). */
  readonly state: string;
  readonly compromised: boolean;
}

/** What a CA's rotation guard records, and what its preconditions are derived from. @internal */
export interface RotationGuardInput {
  /** The CA's mount path. */
  readonly mount: string;
  /** The CA for messages: `the root`, `intermediate 'services'`. */
  readonly ca: string;
  /** Prefix of the logical ids of the CA's Terraform elements (`pki_int_services`). */
  readonly prefix: string;
  /** The ACTIVE generation's name. */
  readonly active: string;
  readonly generations: GuardedGeneration[];
  /** The CA's domains (its name constraints); none for a root. */
  readonly domains: string[];
  /**
   * Per live intermediate generation (by name): an HCL expression of when Vault revoked its certificate at the root
   * (`""` when it is not revoked, or unknown when the generation is new).
   */
  readonly revocations?: Record<string, string>;
}

/** A Terraform precondition, as the JSON takes it. @internal */
export interface GuardCondition {
  readonly condition: string;
  readonly error_message: string;
}

/** A whole number of hours in Terraform's duration syntax (`timeadd`), e.g. `72h`. */
const hours = (d: Duration) => `${Durations.seconds(d) / 3600}h`;
const q = (s: string) => JSON.stringify(s);
const isLive = (g: GuardedGeneration) => g.state !== 'retired';

/** Logical ids of the CA's records and Vault reads, derived from its prefix. @internal */
export const RotationIds = {
  /** `terraform_data` record of when generation `n` was first planned PREPARED. */
  prepared: (prefix: string, n: number) => `${prefix}_prepared${n === 1 ? '' : `_g${n}`}`,
  /** `terraform_data` record of when generation `n` was first planned DRAINING. */
  draining: (prefix: string, n: number) => `${prefix}_draining${n === 1 ? '' : `_g${n}`}`,
  /** The local holding Vault's live state of the mount (`exists`, `default`, `issuers`, `keys`). */
  vault: (prefix: string) => `${prefix}_vault`,
  /** The guard. */
  guard: (prefix: string) => `${prefix}_rotation_guard`,
};

/**
 * The preconditions of a CA's rotation guard (see `CaRotationGuard`): HCL that `terraform plan` evaluates against Vault's
 * live state (`local.<prefix>_vault`) and the records of earlier applies, with messages naming the phase to apply first.
 * @internal
 */
export function rotationConditions(input: RotationGuardInput): GuardCondition[] {
  const { ca, mount, prefix, generations } = input;
  const live = `local.${RotationIds.vault(prefix)}`;
  const preparedAt = (n: number) => `terraform_data.${RotationIds.prepared(prefix, n)}.input.at`;
  const drainingAt = (n: number) => `terraform_data.${RotationIds.draining(prefix, n)}.input.at`;
  const propagation = hours(PkiLimits.TRUST_PROPAGATION);
  const drain = hours(PkiLimits.DRAIN_PERIOD);
  const newest = Math.max(...generations.map((g) => g.generation));
  const active = generations.find((g) => g.state === 'active');
  const conditions: GuardCondition[] = [];

  // 1. The switch: the ACTIVE generation becomes the default issuer only once it exists in Vault and propagated.
  const replacesCompromised = generations.some((g) => g !== active && isLive(g) && g.compromised);
  if (active && !replacesCompromised && generations.some((g) => g.generation < active.generation && isLive(g))) {
    const at = preparedAt(active.generation);
    conditions.push({
      condition: `\${!${live}.exists || ${live}.default == ${q(active.name)} || (contains(${live}.issuers, ${q(active.name)}) && ` +
        `timecmp(plantimestamp(), timeadd(${at}, ${q(propagation)})) >= 0)}`,
      error_message: `generation ${active.generation} of ${ca} becomes the default issuer of ${mount}, but ` +
        `\${contains(${live}.issuers, ${q(active.name)}) ? "it was prepared only at \${${at}}: trust bundles need ${propagation} to carry it ` +
        `to every workload; apply this phase at or after \${timeadd(${at}, ${q(propagation)})}" : "Vault has no issuer '${active.name}' yet: apply ` +
        `the phase that makes generation ${active.generation} PREPARED first, and this one ${propagation} later"} ` +
        `(Vault's default issuer is '\${${live}.default}')`,
    });
  }
  // 4. Every issuer Vault holds in the mount is a generation the program lists (an unlisted one is in Terraform's state
  //    only, and Terraform would delete it: a program that forgot a generation, or an older program applied late).
  const listed = JSON.stringify(generations.map((g) => g.name));
  const unlisted = `[for name in ${live}.issuers : name if name != "" && !contains(${listed}, name)]`;
  conditions.push({
    condition: `\${!${live}.exists || length(${unlisted}) == 0}`,
    error_message: `Vault holds issuers of ${ca} in ${mount} that the program does not list (\${join(", ", ${unlisted})}): Terraform would ` +
      'delete them while leaves they signed may be alive or roles sign with them. The program is older than what was applied, or dropped a ' +
      'generation: keep every generation listed (RETIRED once it may go)',
  });
  for (const g of generations) {
    // 5. A generation Vault revoked (its certificate on the root's CRL) never signs again: it was compromised.
    if (g.state !== 'retired' && !g.compromised && input.revocations?.[g.name] !== undefined) {
      const revoked = input.revocations[g.name];
      conditions.push({
        condition: `\${${revoked} == ""}`,
        error_message: `generation ${g.generation} of ${ca} (${g.name}) is ${g.state.toUpperCase()}, but Vault revoked its certificate at ` +
          `\${${revoked}}: it was compromised. Keep it marked 'compromised' (DRAINING, then RETIRED) and sign with another generation`,
      });
    }
    // 2. Retirement deletes the issuer: only once the default moved away from it, and after the drain period.
    if (g.state === 'retired') {
      const at = drainingAt(g.generation);
      const waited = g.compromised ? 'true' : `timecmp(plantimestamp(), timeadd(${at}, ${q(drain)})) >= 0`;
      conditions.push({
        condition: `\${!${live}.exists || !contains(${live}.issuers, ${q(g.name)}) || (${live}.default != ${q(g.name)} && ${waited})}`,
        error_message: `generation ${g.generation} of ${ca} is RETIRED (its issuer '${g.name}' in ${mount} is deleted), but ` +
          `\${${live}.default == ${q(g.name)} ? "it is still Vault's default issuer of ${mount}: every role signs with it. Apply the phase ` +
          `that makes it DRAINING (${g.compromised ? 'compromised, with a new ACTIVE generation' : 'the switch'}) first` +
          `${g.compromised ? '' : `, and retire it ${drain} later`}" : "it stopped signing only at \${${at}}: leaves it signed live ` +
          `up to ${hours(PkiLimits.LEAF_MAX_DURATION)}; keep it DRAINING until \${timeadd(${at}, ${q(drain)})}"}`,
      });
    }
    // 3. A generation Vault retired (its issuer deleted, its key kept) cannot come back: its key name is taken.
    if (isLive(g)) {
      conditions.push({
        condition: `\${!${live}.exists || contains(${live}.issuers, ${q(g.name)}) || !contains(${live}.keys, ${q(g.name)})}`,
        error_message: `generation ${g.generation} of ${ca} is ${g.state.toUpperCase()}, but Vault deleted its issuer '${g.name}' in ${mount} ` +
          `(it was RETIRED) and keeps its key: a retired generation cannot come back; add generation ${newest + 1} instead`,
      });
    }
  }
  return conditions;
}
