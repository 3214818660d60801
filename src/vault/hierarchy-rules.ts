import { Duration } from 'cdk8s';
import { CaGenerationOptions, GenerationState } from './ca-generation';
import { activeGeneration, generationOptions, generationProblems, isLive, mayIssue, propagated, ResolvedGeneration, resolveGenerations } from './generation-rules';
import type { IIntermediateCa, IntermediateCaOptions } from './intermediate-ca-options';
import type { RootCaOptions } from './root-ca-options';
import { Dns, DomainIndex } from '../core/dns';
import { Durations } from '../core/durations';
import { KeyAlgorithm } from '../core/key-algorithm';
import { MIN_KEY_BITS } from '../core/key-minimums';
import { PkiLimits } from '../core/limits';
import { PkiNames } from '../core/names';
import { Rule } from '../core/validation';

/** A root CA's settings, defaults resolved. @internal */
export interface ResolvedRoot {
  readonly commonName: string;
  readonly ttl: Duration;
  readonly keyAlgorithm: KeyAlgorithm;
  readonly organization?: string;
  readonly generations: readonly ResolvedGeneration[];
}

/** An intermediate CA's settings, defaults resolved. @internal */
export interface ResolvedIntermediate {
  readonly name: string;
  readonly domains: readonly string[];
  readonly ttl: Duration;
  readonly keyAlgorithm: KeyAlgorithm;
  readonly commonName: string;
  readonly generations: readonly ResolvedGeneration[];
}

/** The problems of a CA lifetime: whole seconds, within [min, max]. @internal */
export function ttlProblems(prop: string, ttl: Duration, limits: { min?: Duration; max?: Duration }): string[] {
  if (!Durations.isWholePositive(ttl)) return [`'${prop}' (${Durations.describe(ttl)}) must be a positive whole number of seconds`];
  const s = Durations.seconds(ttl);
  if (limits.max && s > Durations.seconds(limits.max)) {
    return [`'${prop}' (${Durations.describe(ttl)}) must not exceed ${Durations.describe(limits.max)}; lower '${prop.split('.').pop()}'`];
  }
  if (limits.min && s < Durations.seconds(limits.min)) {
    return [`'${prop}' (${Durations.describe(ttl)}) must be at least ${Durations.describe(limits.min)}; raise '${prop.split('.').pop()}'`];
  }
  return [];
}

/** The rules of one root CA, its props under `prefix` (e.g. `root.`). @internal */
export function rootRules(prefix: string, now: number): Rule<ResolvedRoot>[] {
  return [
    (r) => commonNameProblems(`${prefix}commonName`, r.commonName, r.generations, "name the CA, e.g. 'acme-root-ca'"),
    (r) => ttlProblems(`${prefix}ttl`, r.ttl, { max: PkiLimits.ROOT_MAX_TTL }).map((p) => p.replace(/; lower/, ' (10 years); lower')),
    (r) => r.keyAlgorithm._problems(`${prefix}keyAlgorithm`, 'a root CA', MIN_KEY_BITS.root),
    (r) => generationProblems(`${prefix}generations`, 'the root', r.generations, now),
    (r) => r.generations.filter((g) => g.raw.rootGeneration !== undefined).map((g) =>
      `'${prefix}generations': generation ${g.generation} of the root sets 'rootGeneration'; only intermediate generations are signed by a root`),
  ];
}

/** The problems of a CA's common name, including the `<name> g<N>` common names of its later generations. @internal */
function commonNameProblems(prop: string, commonName: string, generations: readonly ResolvedGeneration[], example: string): string | false {
  if (typeof commonName !== 'string' || commonName.trim().length === 0) return `'${prop}' (${commonName ?? '<missing>'}) must be 1 to 64 characters; ${example}`;
  const newest = Math.max(1, ...generations.map((g) => (Number.isInteger(g.generation) ? g.generation : 1)));
  const longest = PkiNames.generationCommonName(commonName, newest);
  return longest.length > 64 && `'${prop}' (${commonName}) must leave room for the generation suffix: '${longest}' is longer than 64 characters; shorten it`;
}

/** The rules of one intermediate CA, its props under `prefix` (e.g. `intermediates[0].`). @internal */
export function intermediateRules(prefix: string, now: number, rootTtl?: Duration): Rule<ResolvedIntermediate>[] {
  return [
    (i) => (!Dns.isLabel(i.name) || i.name.length > PkiLimits.INTERMEDIATE_NAME_MAX_LENGTH)
      && `'${prefix}name' (${i.name}) must be an RFC 1123 label of at most ${PkiLimits.INTERMEDIATE_NAME_MAX_LENGTH} characters ` +
      "(lower-case letters, digits, '-'), e.g. 'services'",
    (i) => typeof i.name === 'string' && /-g\d+$/.test(i.name)
      && `'${prefix}name' (${i.name}) ends like a generation suffix: generation ${i.name.replace(/^.*-g/, '')} of intermediate ` +
      `'${i.name.replace(/-g\d+$/, '')}' is named '${i.name}' (its Vault key and issuer, and its published certificate ` +
      `'${PkiNames.intermediateCaKey(i.name)}'); choose a name that does not end in '-g<number>'`,
    (i) => i.domains.length === 0 && `'${prefix}domains' is empty; give the DNS domains this intermediate issues for, e.g. ['services.internal']`,
    (i) => i.domains.flatMap((d, k) => {
      if (i.domains.indexOf(d) !== k) return [`'${prefix}domains' lists '${d}' twice; remove the duplicate`];
      if (Dns.isWildcard(d)) return [`'${prefix}domains' (${d}) must not be a wildcard; name the domain itself (name constraints cover its subdomains)`];
      const invalid = Dns.nameProblem(d);
      return invalid ? [`'${prefix}domains' (${d}) ${invalid}`] : [];
    }),
    (i) => ttlProblems(`${prefix}ttl`, i.ttl, { min: PkiLimits.INTERMEDIATE_MIN_TTL }),
    (i) => rootTtl !== undefined && Durations.isWholePositive(i.ttl) && Durations.isWholePositive(rootTtl)
      && Durations.seconds(i.ttl) >= Durations.seconds(rootTtl)
      && `'${prefix}ttl' (${Durations.describe(i.ttl)}) must be shorter than 'root.ttl' (${Durations.describe(rootTtl)}); ` +
      "lower the intermediate's 'ttl' or raise the root's",
    (i) => i.keyAlgorithm._problems(`${prefix}keyAlgorithm`, 'an intermediate CA', MIN_KEY_BITS.intermediate),
    (i) => commonNameProblems(`${prefix}commonName`, i.commonName, i.generations, "e.g. 'services intermediate CA'"),
    (i) => generationProblems(`${prefix}generations`, `intermediate '${i.name}'`, i.generations, now),
  ];
}

/**
 * The problems between the root's generations and the intermediates' (which root generation signs which intermediate
 * generation): nothing live may chain to a root generation that is gone, a generation that signs (or will) chains to
 * a root generation that signs, and an ACTIVE intermediate generation chains to a root every client already trusts.
 * @internal
 */
export function chainProblems(root: readonly ResolvedGeneration[], intermediates: readonly ResolvedIntermediate[], now: number): string[] {
  const byNumber = new Map(root.map((g) => [g.generation, g]));
  return intermediates.flatMap((i, k) => i.generations.flatMap((g) => {
    const at = `'intermediates[${k}].generations': generation ${g.generation} of intermediate '${i.name}' (${g.state.toUpperCase()})`;
    const signer = byNumber.get(g.rootGeneration);
    if (!Number.isInteger(g.rootGeneration) || signer === undefined) {
      return [`${at} names root generation ${g.rootGeneration} in 'rootGeneration', which 'root.generations' does not list; ` +
        `name one of ${root.map((r) => r.generation).join(', ')}`];
    }
    if (!isLive(g)) return [];
    if (!isLive(signer)) {
      return [`${at} chains to root generation ${signer.generation}, which is RETIRED: the root would leave the trust bundles while ` +
        `this intermediate generation (and the leaves it signed) still chain to it. Keep root generation ${signer.generation} DRAINING until ` +
        'every intermediate generation it signed is RETIRED'];
    }
    if (mayIssue(g) && signer.state === GenerationState.DRAINING) {
      return [`${at} chains to root generation ${signer.generation}, which is DRAINING (it stops signing and will leave the trust bundles); ` +
        'sign a new intermediate generation with the ACTIVE root generation instead (\'rootGeneration\')'];
    }
    if (g.state === GenerationState.ACTIVE && signer.state === GenerationState.PREPARED && !propagated(signer, now)
      && !root.some((r) => isLive(r) && r.compromised)) {
      return [`${at} chains to root generation ${signer.generation}, which is PREPARED but not yet in every trust bundle ` +
        `(${Durations.describe(PkiLimits.TRUST_PROPAGATION)} after its 'preparedSince'); clients would reject the leaves it signs: keep it PREPARED until then`];
    }
    return [];
  }));
}

/** A hierarchy's settings, defaults resolved. @internal */
export interface ResolvedHierarchy {
  /** The time the rotation rules compare with (milliseconds since the epoch). */
  readonly now: number;
  readonly name: string;
  readonly root: ResolvedRoot;
  readonly intermediates: readonly ResolvedIntermediate[];
  readonly caPublicationNamespace: string;
}

/** Runs `rules` over `value`, flattening the results. @internal */
export function apply<T>(rules: Rule<T>[], value: T): string[] {
  return rules.flatMap((rule) => {
    const result = rule(value);
    return typeof result === 'string' ? [result] : Array.isArray(result) ? [...result] : [];
  });
}

/** The rules of a whole hierarchy: names, the root, each intermediate, and what intermediates must not share. @internal */
export const HIERARCHY_RULES: Rule<ResolvedHierarchy>[] = [
  (h) => (!Dns.isLabel(h.name) || h.name.length > PkiLimits.HIERARCHY_NAME_MAX_LENGTH)
    && `'name' (${h.name}) must be an RFC 1123 label of at most ${PkiLimits.HIERARCHY_NAME_MAX_LENGTH} characters (lower-case letters, digits, '-'), e.g. 'pki'`,
  (h) => apply(rootRules('root.', h.now), h.root),
  (h) => h.intermediates.length === 0
    && "'intermediates' is empty; leaves are issued from intermediates only (the root signs intermediates), add e.g. { name: 'services', domains: ['services.internal'] }",
  (h) => h.intermediates.flatMap((i, k) => apply(intermediateRules(`intermediates[${k}].`, h.now, h.root.ttl), i)),
  (h) => chainProblems(h.root.generations, h.intermediates, h.now),
  (h) => h.intermediates.flatMap((i, k) => {
    const first = h.intermediates.findIndex((o) => o.name === i.name);
    return first < k ? [`'intermediates[${k}].name' (${i.name}) duplicates 'intermediates[${first}].name'; give every intermediate its own name`] : [];
  }),
  (h) => {
    // Every generation's common name (`<name> g<N>` after the first) is unique: alerts and clients tell CAs apart by it.
    const owners = new Map<string, string>();
    const claim = (prop: string, commonName: string, generations: readonly ResolvedGeneration[]) => generations.flatMap((g) => {
      const cn = PkiNames.generationCommonName(commonName, g.generation);
      const owner = owners.get(cn);
      if (owner === undefined) owners.set(cn, prop);
      return owner !== undefined && owner !== prop ? [`'${prop}' (${commonName}) gives generation ${g.generation} the common name '${cn}', ` +
        `already the common name of a generation of '${owner}'; give every CA its own common name (alerts and clients tell CAs apart by it)`] : [];
    });
    return [
      ...claim('root.commonName', h.root.commonName, h.root.generations),
      ...h.intermediates.flatMap((i, k) => claim(`intermediates[${k}].commonName`, i.commonName, i.generations)),
    ];
  },
  (h) => {
    const index = new DomainIndex();
    return h.intermediates.flatMap((i, k) => i.domains.filter((d) => Dns.isName(d)).flatMap((d) => {
      const conflict = index.conflict(d);
      index.register(d, i.name);
      return conflict && conflict.owner !== i.name
        ? [`'intermediates[${k}].domains' (${d}) overlaps '${conflict.domain}' of intermediate '${conflict.owner}'; ` +
          'intermediates need disjoint domains so name constraints separate them, pick a domain outside it']
        : [];
    }));
  },
  (h) => !Dns.isLabel(h.caPublicationNamespace)
    && `'caPublicationNamespace' (${h.caPublicationNamespace}) is not a valid namespace name (RFC 1123 label)`,
];

/** The root CA's settings with their defaults. @internal */
export function resolveRoot(options: RootCaOptions | undefined): ResolvedRoot {
  return {
    commonName: options?.commonName as string,
    ttl: options?.ttl ?? PkiLimits.ROOT_MAX_TTL,
    keyAlgorithm: options?.keyAlgorithm ?? KeyAlgorithm.ECDSA_P384,
    organization: options?.organization,
    generations: resolveGenerations(options?.generations),
  };
}

/** The intermediate's settings with their defaults. @internal */
export function resolveIntermediate(options: IntermediateCaOptions): ResolvedIntermediate {
  return {
    name: options.name,
    domains: Object.freeze([...(options.domains ?? [])]),
    ttl: options.ttl ?? PkiLimits.INTERMEDIATE_DEFAULT_TTL,
    keyAlgorithm: options.keyAlgorithm ?? KeyAlgorithm.ECDSA_P256,
    commonName: options.commonName ?? `${options.name} intermediate CA`,
    generations: resolveGenerations(options.generations),
  };
}


/**
 * Every plain value of an intermediate, derived from its resolved settings and its hierarchy's name: what a hierarchy's
 * intermediate and one imported by attributes (another program) both expose, derived in this one place.
 * @internal
 */
export function intermediateValues(resolved: ResolvedIntermediate, hierarchyName: string): Omit<IIntermediateCa, 'node'> {
  const active = activeGeneration(resolved.generations).generation;
  return {
    name: resolved.name,
    hierarchyName,
    domains: resolved.domains as string[],
    ttl: resolved.ttl,
    keyAlgorithm: resolved.keyAlgorithm,
    commonName: resolved.commonName,
    mountPath: PkiNames.intermediateMountPath(hierarchyName, resolved.name),
    generations: Object.freeze(generationOptions(resolved.generations)) as CaGenerationOptions[],
    activeGeneration: active,
    issuerName: PkiNames.intermediateIssuerName(resolved.name, active),
  };
}
