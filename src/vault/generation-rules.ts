import { CaGenerationOptions, GenerationState } from './ca-generation';
import { Durations } from '../core/durations';
import { PkiLimits } from '../core/limits';
import { isoTimestamp, parseTimestamp } from '../core/timestamps';

/** A generation with its defaults. @internal */
export interface ResolvedGeneration {
  readonly generation: number;
  readonly state: GenerationState;
  /** Milliseconds since the epoch (NaN when the text is not a timestamp), undefined when not given. */
  readonly preparedSince?: number;
  readonly drainingSince?: number;
  readonly rootGeneration: number;
  readonly compromised: boolean;
  /** What the user wrote, for messages. */
  readonly raw: CaGenerationOptions;
}

/** Whether the generation exists in Vault (not RETIRED). @internal */
export function isLive(g: { readonly state: GenerationState }): boolean {
  return g.state !== GenerationState.RETIRED;
}

/** Whether the generation may sign: PREPARED (not yet the default) or ACTIVE. @internal */
export function mayIssue(g: { readonly state: GenerationState }): boolean {
  return g.state === GenerationState.PREPARED || g.state === GenerationState.ACTIVE;
}

/**
 * The usage of a generation's Vault issuer, in the sorted form Vault reads back (any other spelling diffs forever):
 * PREPARED and ACTIVE keep `issuing-certificates` (a PREPARED root signs the intermediates prepared under it), a
 * DRAINING issuer keeps only CRL and OCSP signing so the leaves it signed can still be revoked.
 * @internal
 */
export function issuerUsage(state: GenerationState): string {
  return mayIssue({ state }) ? 'crl-signing,issuing-certificates,ocsp-signing,read-only' : 'crl-signing,ocsp-signing,read-only';
}

/** The generations of a CA with their defaults (one ACTIVE generation 1 when none are given), by number. @internal */
export function resolveGenerations(generations: readonly CaGenerationOptions[] | undefined): ResolvedGeneration[] {
  const list = Array.isArray(generations) && generations.length > 0 ? generations : [{ generation: 1 }];
  return list.map((g) => ({
    generation: g?.generation,
    state: g?.state ?? GenerationState.ACTIVE,
    preparedSince: g?.preparedSince === undefined ? undefined : parseTimestamp(g.preparedSince),
    drainingSince: g?.drainingSince === undefined ? undefined : parseTimestamp(g.drainingSince),
    rootGeneration: g?.rootGeneration ?? 1,
    compromised: g?.compromised ?? false,
    raw: g ?? ({} as CaGenerationOptions),
  })).sort((a, b) => a.generation - b.generation);
}

/** The generations as plain options, defaults filled in (what a construct exposes and an importing program passes on). @internal */
export function generationOptions(generations: readonly ResolvedGeneration[]): CaGenerationOptions[] {
  return generations.map((g) => Object.freeze({ ...g.raw, generation: g.generation, state: g.state, rootGeneration: g.rootGeneration }));
}

/** The ACTIVE generation (the rules make sure there is exactly one). @internal */
export function activeGeneration(generations: readonly ResolvedGeneration[]): ResolvedGeneration {
  return generations.find((g) => g.state === GenerationState.ACTIVE) ?? generations[generations.length - 1];
}

/** Whether `g` has been PREPARED for at least `PkiLimits.TRUST_PROPAGATION` at `now`. @internal */
export function propagated(g: ResolvedGeneration, now: number): boolean {
  const since = g.preparedSince;
  return since !== undefined && !Number.isNaN(since) && now >= since + Durations.seconds(PkiLimits.TRUST_PROPAGATION) * 1000;
}

/**
 * The problems of one CA's generations (`prop` names them in messages, e.g. `intermediates[0].generations`), at
 * time `now`. These rules are what make a rotation safe whatever edits a program goes through:
 * - every generation from 1 to the newest stays listed (a generation dropped from the program would delete its issuer
 *   in Vault), exactly one is ACTIVE, a PREPARED one is newer than it;
 * - a generation after the first signs only after it was PREPARED for `TRUST_PROPAGATION` (`preparedSince`), unless
 *   it replaces a compromised generation;
 * - a generation is RETIRED only after it DRAINED for `DRAIN_PERIOD` (`drainingSince`), so no leaf it signed is
 *   alive, unless it is compromised;
 * - a compromised generation does not sign.
 * @internal
 */
export function generationProblems(prop: string, ca: string, generations: readonly ResolvedGeneration[], now: number): string[] {
  const problems: string[] = [];
  const at = (g: ResolvedGeneration) => `'${prop}': generation ${g.generation} of ${ca}`;
  const numbers = generations.map((g) => g.generation);
  if (numbers.some((n) => !Number.isInteger(n) || n < 1 || n > PkiLimits.GENERATION_MAX)) {
    return [`'${prop}': generation numbers (${numbers.join(', ')}) must be whole numbers from 1 to ${PkiLimits.GENERATION_MAX}`];
  }
  const states = Object.values(GenerationState) as string[];
  const unknown = generations.filter((g) => !states.includes(g.state));
  if (unknown.length > 0) {
    return unknown.map((g) => `${at(g)} has an unknown state (${g.state}); use GenerationState.PREPARED, ACTIVE, DRAINING or RETIRED`);
  }
  for (let n = 1; n <= Math.max(...numbers); n++) {
    const count = numbers.filter((x) => x === n).length;
    if (count === 0) {
      problems.push(`'${prop}': generation ${n} of ${ca} is missing; keep every generation listed (RETIRED once it may go): ` +
        'a generation dropped from the program deletes its issuer in Vault, whatever leaves it signed');
    } else if (count > 1) {
      problems.push(`'${prop}': generation ${n} of ${ca} is listed ${count} times; list each generation once`);
    }
  }
  const active = generations.filter((g) => g.state === GenerationState.ACTIVE);
  if (active.length !== 1) {
    problems.push(`'${prop}': ${ca} has ${active.length} ACTIVE generations (${active.map((g) => g.generation).join(', ') || 'none'}); ` +
      'exactly one generation signs: make one ACTIVE');
    return problems;
  }
  const current = active[0];
  const replacesCompromised = generations.some((o) => o !== current && isLive(o) && o.compromised);
  const propagation = Durations.seconds(PkiLimits.TRUST_PROPAGATION) * 1000;
  const drain = Durations.seconds(PkiLimits.DRAIN_PERIOD) * 1000;
  const skew = Durations.seconds(PkiLimits.ROTATION_CLOCK_SKEW) * 1000;
  for (const g of generations) {
    const timestamp = (name: 'preparedSince' | 'drainingSince') => {
      const value = g[name];
      if (value !== undefined && Number.isNaN(value)) {
        problems.push(`${at(g)}: '${name}' (${g.raw[name]}) is not an ISO 8601 timestamp with a zone, e.g. '2026-11-20T09:00:00Z'`);
      } else if (value !== undefined && value > now + skew) {
        problems.push(`${at(g)}: '${name}' (${g.raw[name]}) is in the future; record the time the phase was applied`);
      }
      return value !== undefined && !Number.isNaN(value) ? value : undefined;
    };
    const preparedSince = timestamp('preparedSince');
    const drainingSince = timestamp('drainingSince');
    if (g.compromised && mayIssue(g)) {
      problems.push(`${at(g)} is compromised but ${g.state.toUpperCase()}: a compromised key must not sign; make it DRAINING ` +
        '(with \'drainingSince\') and make another generation ACTIVE in the same edit');
    }
    if (g.state === GenerationState.PREPARED && g.generation < current.generation) {
      problems.push(`${at(g)} is PREPARED but older than the ACTIVE generation ${current.generation}; ` +
        'a generation that stopped signing is DRAINING (then RETIRED); a new one takes the next number');
    }
    // A generation replacing an older live one must have been prepared (rolling back to an older one needs nothing:
    // it never left the trust bundles).
    const earlierLive = generations.some((o) => o.generation < g.generation && isLive(o));
    if (g.state === GenerationState.ACTIVE && earlierLive && !replacesCompromised) {
      if (g.raw.preparedSince === undefined) {
        problems.push(`${at(g)} becomes ACTIVE before it was prepared: apply it as PREPARED first (it is created in Vault and published ` +
          'to every trust bundle without signing) and record that time in \'preparedSince\'; switching before the new generation exists ' +
          'everywhere breaks clients that do not trust it yet');
      } else if (preparedSince !== undefined && now < preparedSince + propagation) {
        problems.push(`${at(g)} becomes ACTIVE ${Durations.describeSeconds(Math.max(0, Math.floor((now - preparedSince) / 1000)))} after it was ` +
          `prepared; trust bundles need ${Durations.describe(PkiLimits.TRUST_PROPAGATION)} to reach every workload: switch at or after ` +
          `${isoTimestamp(preparedSince + propagation)}`);
      }
    }
    if (g.state === GenerationState.DRAINING || g.state === GenerationState.RETIRED) {
      if (g.raw.drainingSince === undefined) {
        problems.push(`${at(g)} is ${g.state.toUpperCase()} without 'drainingSince'; record when the switch away from it was applied ` +
          '(retiring waits for the leaves it signed to expire)');
      } else if (g.state === GenerationState.RETIRED && drainingSince !== undefined && !g.compromised && now < drainingSince + drain) {
        problems.push(`${at(g)} cannot be RETIRED before ${isoTimestamp(drainingSince + drain)} (${Durations.describe(PkiLimits.DRAIN_PERIOD)} after ` +
          `it stopped signing at ${g.raw.drainingSince}: the longest leaf lifetime plus a margin); leaves it signed are still valid and its ` +
          'certificate must stay in the trust bundles until then: keep it DRAINING');
      }
    }
  }
  return problems;
}
