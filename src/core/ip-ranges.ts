import { isIPv4, isIPv6 } from 'net';

/**
 * IP SAN ranges: CIDR parsing, membership, and the approver-policy patterns (whose `*` matches
 * any string) that allow exactly the addresses of a range.
 * @internal
 */
export class IpRanges {
  /** Most patterns one range may expand to. */
  public static readonly MAX_PATTERNS = 64;

  /** The problem with `cidr`, or undefined when it is a usable range. */
  public static problem(cidr: string): string | undefined {
    const [addr, lenText, extra] = String(cidr).split('/');
    const len = Number(lenText);
    if (extra !== undefined || lenText === undefined || !/^\d+$/.test(lenText)) {
      return 'is not in CIDR notation (e.g. 10.20.0.0/24)';
    }
    if (isIPv6(addr)) {
      if (IpRanges.isV4Mapped(addr)) return 'is an IPv4-mapped IPv6 address; give the IPv4 address itself';
      return len === 128 ? undefined : 'is an IPv6 range; only single IPv6 addresses (/128) can be expressed as approver-policy patterns';
    }
    if (!isIPv4(addr) || len > 32) return 'is not a valid IPv4 or IPv6 CIDR range';
    if (len < 8) return 'is broader than /8; list narrower ranges';
    const n = IpRanges.v4ToNumber(addr);
    if (len < 32 && n % 2 ** (32 - len) !== 0) return `has host bits set; use the network address (${IpRanges.network(n, len)}/${len})`;
    if (IpRanges.patterns(cidr).length > IpRanges.MAX_PATTERNS) {
      return `expands to more than ${IpRanges.MAX_PATTERNS} approver-policy patterns; use an octet-aligned range (/8, /16, /24) or a narrower one`;
    }
    return undefined;
  }

  /** approver-policy `allowed.ipAddresses.values` for a valid range. */
  public static patterns(cidr: string): string[] {
    const [addr, lenText] = cidr.split('/');
    const len = Number(lenText);
    // approver-policy compares the request's IPs as Go's net.IP.String() text, so the pattern must be that text.
    if (isIPv6(addr)) return [IpRanges.canonical(addr)];
    const n = IpRanges.v4ToNumber(addr);
    // Octet-aligned prefix: `a.b.*` covers the whole range; otherwise enumerate the next octet boundary.
    const aligned = Math.ceil(len / 8) * 8;
    const count = 2 ** (aligned - len);
    const out: string[] = [];
    for (let i = 0; i < count && out.length <= IpRanges.MAX_PATTERNS; i++) {
      const octets = IpRanges.numberToV4(n + i * 2 ** (32 - aligned)).split('.').slice(0, aligned / 8);
      out.push(aligned === 32 ? octets.join('.') : `${octets.join('.')}.*`);
    }
    return out;
  }

  /** Whether `ip` lies in the (valid) range `cidr`. */
  public static contains(cidr: string, ip: string): boolean {
    const [addr, lenText] = cidr.split('/');
    if (isIPv6(addr)) return isIPv6(ip) && IpRanges.normalizeV6(ip) === IpRanges.normalizeV6(addr);
    if (!isIPv4(ip)) return false;
    const len = Number(lenText);
    const size = 2 ** (32 - len);
    return Math.floor(IpRanges.v4ToNumber(ip) / size) === Math.floor(IpRanges.v4ToNumber(addr) / size);
  }

  public static isIp(s: string): boolean {
    return isIPv4(s) || isIPv6(s);
  }

  /**
   * The address as Go's `net.IP.String()` writes it (RFC 5952 for IPv6: lower case, no leading zeros, the first
   * longest run of two or more zero groups as '::'), which is what approver-policy compares: approver-policy v0.27.0
   * `pkg/internal/approver/allowed` renders each CSR IP with `ip.String()` and matches it as text.
   */
  public static canonical(ip: string): string {
    if (isIPv4(ip)) return ip.split('.').map((o) => String(Number(o))).join('.');
    // WHATWG URL serialization of an IPv6 host follows RFC 5952 as Go does (IPv4-mapped addresses aside, refused above).
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  }

  /** Whether `ip` is an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`), which Go prints as IPv4. */
  public static isV4Mapped(ip: string): boolean {
    return isIPv6(ip) && /^::ffff:[0-9a-f]{1,4}:[0-9a-f]{1,4}$/.test(IpRanges.canonical(ip));
  }


  private static v4ToNumber(ip: string): number {
    return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  }

  private static numberToV4(n: number): string {
    return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
  }

  private static network(n: number, len: number): string {
    const size = 2 ** (32 - len);
    return IpRanges.numberToV4(Math.floor(n / size) * size);
  }

  private static normalizeV6(ip: string): string {
    const [head, tail] = ip.toLowerCase().split('::');
    const h = head ? head.split(':') : [];
    const t = tail !== undefined && tail ? tail.split(':') : [];
    const fill = tail !== undefined ? Array(8 - h.length - t.length).fill('0') : [];
    return [...h, ...fill, ...t].map((g) => g.replace(/^0+(?=.)/, '')).join(':');
  }

  private constructor() {}
}
