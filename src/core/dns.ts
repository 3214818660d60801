/** An RFC 1123 label. */
const LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * DNS and Kubernetes name rules, and the domain-overlap index used by hierarchies and tenants.
 * @internal
 */
export class Dns {
  /** RFC 1123 label: namespaces, Issuer names, intermediate and hierarchy names. */
  public static isLabel(s: string): boolean {
    return typeof s === 'string' && LABEL.test(s);
  }

  /** RFC 1123 subdomain: most Kubernetes object names (service accounts, secrets, config maps). */
  public static isSubdomain(s: string): boolean {
    return typeof s === 'string' && s.length <= 253 && s.split('.').every((l) => LABEL.test(l));
  }

  /**
   * A lower-case DNS name of at least two labels. With `allowWildcard`, a single leading `*.` label
   * is accepted (and nothing else of the wildcard kind).
   */
  public static isName(s: string, allowWildcard = false): boolean {
    return Dns.nameProblem(s, allowWildcard) === undefined;
  }

  /** Why `s` is not a lower-case DNS name of at least two labels (see `isName`), or undefined when it is one. */
  public static nameProblem(s: string, allowWildcard = false): string | undefined {
    if (typeof s !== 'string') return `is a ${typeof s}, not a string`;
    if (s.length === 0) return 'is empty';
    if (s.length > 253) return `is ${s.length} characters long; DNS names have at most 253`;
    if (s.endsWith('.')) return "ends with '.'; drop the trailing dot";
    if (s !== s.toLowerCase()) return 'has upper-case letters; use lower case (certificates compare names as written)';
    const labels = s.split('.');
    if (allowWildcard && labels[0] === '*') labels.shift();
    if (labels.length < 2) return 'has a single label; use a name of at least two labels, e.g. \'app.example.internal\'';
    for (const l of labels) {
      if (l === '') return "has an empty label ('..')";
      if (l.length > 63) return `has a label of ${l.length} characters ('${l.slice(0, 20)}...'); labels have at most 63`;
      if (l.includes('*')) return `has '*' in the label '${l}'${allowWildcard ? "; a wildcard may only be the whole leftmost label ('*.')" : ''}`;
      const bad = /[^a-z0-9-]/.exec(l);
      if (bad) return `has '${bad[0]}' in the label '${l}'; labels hold only letters, digits and '-'`;
      if (l.startsWith('-') || l.endsWith('-')) return `has the label '${l}', which starts or ends with '-'`;
    }
    return undefined;
  }

  public static isWildcard(s: string): boolean {
    return s.startsWith('*.');
  }

  /** Whether `name` is `domain` itself or a name under it. */
  public static isWithin(name: string, domain: string): boolean {
    return name === domain || name.endsWith(`.${domain}`);
  }

  /** Whether `name` is strictly under `domain` (not the domain itself). */
  public static isUnder(name: string, domain: string): boolean {
    return name.length > domain.length && name.endsWith(`.${domain}`);
  }

  /** Whether two domains overlap: equal, or one inside the other. */
  public static overlaps(a: string, b: string): boolean {
    return Dns.isWithin(a, b) || Dns.isWithin(b, a);
  }

  /** Whether `s` is a SPIFFE trust domain: lower-case letters, digits, '.', '-', '_' (the SPIFFE ID standard), no '/'. */
  public static isTrustDomain(s: string): boolean {
    return typeof s === 'string' && /^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/.test(s);
  }

  /** `a.b.c` -> [`a.b.c`, `b.c`, `c`]. */
  public static suffixes(name: string): string[] {
    const labels = name.split('.');
    return labels.map((_, i) => labels.slice(i).join('.'));
  }

  private constructor() {}
}

/**
 * Who owns which domain, so that overlaps (equal, parent or child domains) are found in
 * O(labels) per domain instead of comparing every pair: thousands of tenants stay linear.
 * @internal
 */
export class DomainIndex {
  /** domain -> owner, for the registered domains themselves. */
  private readonly exact = new Map<string, string>();
  /** every proper suffix of a registered domain -> an owner of a domain under it. */
  private readonly ancestors = new Map<string, string>();

  /** The owner of a registered domain that overlaps `domain`, if any, and the domain it owns. */
  public conflict(domain: string): { owner: string; domain: string } | undefined {
    for (const suffix of Dns.suffixes(domain)) {
      const owner = this.exact.get(suffix);
      if (owner !== undefined) return { owner, domain: suffix };
    }
    const under = this.ancestors.get(domain);
    if (under !== undefined) {
      return { owner: under, domain: this.ownedUnder(domain, under) };
    }
    return undefined;
  }

  public register(domain: string, owner: string): void {
    this.exact.set(domain, owner);
    for (const suffix of Dns.suffixes(domain).slice(1)) {
      if (!this.ancestors.has(suffix)) this.ancestors.set(suffix, owner);
    }
  }

  private ownedUnder(domain: string, owner: string): string {
    for (const [d, o] of this.exact) {
      if (o === owner && Dns.isUnder(d, domain)) return d;
    }
    return domain;
  }
}
