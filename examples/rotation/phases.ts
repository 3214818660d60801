// The phases of a CA rotation, as program states: each is the reference scenario (examples/reference) with its CAs'
// generations at one point of the rotation, and each applies safely on top of the one before. In your own code, import
// from 'cdk8s-vault-pki' instead of '../../src'.
//
// A root rollover moves every intermediate to the new root, so it is also an intermediate rotation; rotating only an
// intermediate is the same three phases with `rootGeneration` left at 1 (examples/rotation/compromise does that in a hurry).
import { CaGenerationOptions, GenerationState } from '../../src';
import { CaGenerations } from '../reference/scenario';

/** When phase 1 (prepare) was applied: the new generations exist in Vault and in every trust bundle from then on. */
export const PREPARED_SINCE = '2026-11-02T09:00:00Z';
/** When phase 2 (switch) was applied: at least PkiLimits.TRUST_PROPAGATION (1h) after PREPARED_SINCE. */
export const SWITCHED_AT = '2026-11-02T10:30:00Z';
/** When the compromise of the services intermediate's key was handled (examples/rotation/compromise). */
export const COMPROMISED_AT = '2026-11-10T08:00:00Z';

const INTERMEDIATES = ['services', 'ingress', 'mtls'];

/** Every intermediate with the same generations. */
function everyIntermediate(generations: CaGenerationOptions[]): { [name: string]: CaGenerationOptions[] } {
  return Object.fromEntries(INTERMEDIATES.map((name) => [name, generations]));
}

/** Root rollover (and with it every intermediate), phase 1: the new generations are created and trusted, nothing signs with them. */
export const PREPARE: CaGenerations = {
  root: [
    { generation: 1, state: GenerationState.ACTIVE },
    { generation: 2, state: GenerationState.PREPARED, preparedSince: PREPARED_SINCE },
  ],
  intermediates: everyIntermediate([
    { generation: 1, state: GenerationState.ACTIVE },
    { generation: 2, state: GenerationState.PREPARED, preparedSince: PREPARED_SINCE, rootGeneration: 2 },
  ]),
};

/** Phase 2, at least 1h later: generation 2 signs (the mounts' default issuers move), generation 1 drains. */
export const SWITCH: CaGenerations = {
  root: [
    { generation: 1, state: GenerationState.DRAINING, drainingSince: SWITCHED_AT },
    { generation: 2, state: GenerationState.ACTIVE, preparedSince: PREPARED_SINCE },
  ],
  intermediates: everyIntermediate([
    { generation: 1, state: GenerationState.DRAINING, drainingSince: SWITCHED_AT },
    { generation: 2, state: GenerationState.ACTIVE, preparedSince: PREPARED_SINCE, rootGeneration: 2 },
  ]),
};

/** Phase 3, at least 72h after the switch: generation 1 is deleted in Vault and leaves the trust bundles. */
export const RETIRE: CaGenerations = {
  root: [
    { generation: 1, state: GenerationState.RETIRED, drainingSince: SWITCHED_AT },
    { generation: 2, state: GenerationState.ACTIVE, preparedSince: PREPARED_SINCE },
  ],
  intermediates: everyIntermediate([
    { generation: 1, state: GenerationState.RETIRED, drainingSince: SWITCHED_AT },
    { generation: 2, state: GenerationState.ACTIVE, preparedSince: PREPARED_SINCE, rootGeneration: 2 },
  ]),
};

/**
 * The services intermediate's key is compromised, step 1 (one apply): a new generation signs at once (no prepare
 * phase: clients trust the root, which does not change), the compromised one stops signing and is marked for revocation.
 */
export const COMPROMISE_REPLACE: CaGenerations = {
  intermediates: {
    services: [
      { generation: 1, state: GenerationState.DRAINING, drainingSince: COMPROMISED_AT, compromised: true },
      { generation: 2, state: GenerationState.ACTIVE },
    ],
  },
};

/** Step 2, right after step 1 applied: the compromised generation is revoked at the root and deleted (no drain wait). */
export const COMPROMISE_REVOKE: CaGenerations = {
  intermediates: {
    services: [
      { generation: 1, state: GenerationState.RETIRED, drainingSince: COMPROMISED_AT, compromised: true },
      { generation: 2, state: GenerationState.ACTIVE },
    ],
  },
};
