import { Duration } from 'cdk8s';
import type { IntermediateCaOptions } from './intermediate-ca';
import type { RootCaOptions } from './root-ca';
import { Dns, DomainIndex } from '../core/dns';
import { Durations } from '../core/durations';
import { KeyAlgorithm } from '../core/key-algorithm';
import { MIN_KEY_BITS } from '../core/key-minimums';
import { PkiLimits } from '../core/limits';
import { Rule } from '../core/validation';

/** A root CA's settings, defaults resolved. @internal */
export interface ResolvedRoot {
  readonly commonName: string;
  readonly ttl: Duration;
  readonly keyAlgorithm: KeyAlgorithm;
  readonly organization?: string;
}

/** An intermediate CA's settings, defaults resolved. @internal */
export interface ResolvedIntermediate {
  readonly name: string;
  readonly domains: readonly string[];
  readonly ttl: Duration;
  readonly keyAlgorithm: KeyAlgorithm;
  readonly commonName: string;
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
export function rootRules(prefix: string): Rule<ResolvedRoot>[] {
  return [
    (r) => (typeof r.commonName !== 'string' || r.commonName.trim().length === 0 || r.commonName.length > 64)
      && `'${prefix}commonName' (${r.commonName ?? '<missing>'}) must be 1 to 64 characters; name the CA, e.g. 'acme-root-ca'`,
    (r) => ttlProblems(`${prefix}ttl`, r.ttl, { max: PkiLimits.ROOT_MAX_TTL }).map((p) => p.replace(/; lower/, ' (10 years); lower')),
    (r) => r.keyAlgorithm._problems(`${prefix}keyAlgorithm`, 'a root CA', MIN_KEY_BITS.root),
  ];
}

/** The rules of one intermediate CA, its props under `prefix` (e.g. `intermediates[0].`). @internal */
export function intermediateRules(prefix: string, rootTtl?: Duration): Rule<ResolvedIntermediate>[] {
  return [
    (i) => (!Dns.isLabel(i.name) || i.name.length > PkiLimits.INTERMEDIATE_NAME_MAX_LENGTH)
      && `'${prefix}name' (${i.name}) must be an RFC 1123 label of at most ${PkiLimits.INTERMEDIATE_NAME_MAX_LENGTH} characters ` +
      "(lower-case letters, digits, '-'), e.g. 'services'",
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
    (i) => (typeof i.commonName !== 'string' || i.commonName.trim() === '' || i.commonName.length > 64)
      && `'${prefix}commonName' (${i.commonName}) must be 1 to 64 characters`,
  ];
}

/** A hierarchy's settings, defaults resolved. @internal */
export interface ResolvedHierarchy {
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
  (h) => apply(rootRules('root.'), h.root),
  (h) => h.intermediates.length === 0
    && "'intermediates' is empty; leaves are issued from intermediates only (the root signs intermediates), add e.g. { name: 'services', domains: ['services.internal'] }",
  (h) => h.intermediates.flatMap((i, k) => apply(intermediateRules(`intermediates[${k}].`, h.root.ttl), i)),
  (h) => h.intermediates.flatMap((i, k) => {
    const first = h.intermediates.findIndex((o) => o.name === i.name);
    return first < k ? [`'intermediates[${k}].name' (${i.name}) duplicates 'intermediates[${first}].name'; give every intermediate its own name`] : [];
  }),
  (h) => {
    const owners = new Map<string, string>([[h.root.commonName, 'root.commonName']]);
    return h.intermediates.flatMap((i, k) => {
      const owner = owners.get(i.commonName);
      owners.set(i.commonName, `intermediates[${k}].commonName`);
      return owner !== undefined ? [`'intermediates[${k}].commonName' (${i.commonName}) is already the common name of '${owner}'; ` +
        'give every CA its own common name (alerts and clients tell CAs apart by it)'] : [];
    });
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
  };
}

