import { X509Certificate } from 'crypto';

/** Options of a PEM check. @internal */
export interface PemCheckOptions {
  /** Every certificate must be a CA (basicConstraints CA:TRUE). */
  readonly ca?: boolean;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** What a check needs of one parsed certificate block: its parse error, or whether it is a CA and its subject. */
interface BlockFacts {
  readonly error?: string;
  readonly ca?: boolean;
  readonly subject?: string;
}
/**
 * Parsed blocks by their text: a fleet program passes the same CA PEM to every cluster and stack (50 clusters: 50 parses
 * of one certificate). Bounded; a PEM is immutable text, so a hit is exactly what a parse would return.
 */
const PARSED = new Map<string, BlockFacts>();
const PARSED_MAX = 256;

function parse(block: string): BlockFacts {
  let facts = PARSED.get(block);
  if (facts === undefined) {
    try {
      const cert = new X509Certificate(block);
      facts = { ca: cert.ca, subject: cert.subject };
    } catch (e) {
      facts = { error: (e as Error).message };
    }
    if (PARSED.size >= PARSED_MAX) PARSED.clear();
    PARSED.set(block, facts);
  }
  return facts;
}

/** PEM certificate input checks, shared by every prop that takes CA certificates. @internal */
export class Pem {
  /**
   * The problems of `text` as the value of `prop`: it must be one or more PEM certificates that parse as X.509
   * (and are CAs, with `ca`), and must not contain key material.
   */
  public static certificateProblems(prop: string, text: string | undefined, options: PemCheckOptions = {}): string[] {
    if (text === undefined) return [];
    if (typeof text !== 'string') return [`'${prop}' must be PEM text, got ${typeof text}`];
    if (/PRIVATE KEY/.test(text)) {
      return [`'${prop}' contains a private key; pass only CA certificates, never key material`];
    }
    const blocks = [...text.matchAll(BLOCK)];
    const rest = text.replace(BLOCK, '').trim();
    if (blocks.length === 0 || rest !== '' || blocks.some((b) => b[1] !== 'CERTIFICATE')) {
      return [`'${prop}' is not PEM certificates only; pass the CA certificate's PEM text`];
    }
    const problems: string[] = [];
    blocks.forEach((block, i) => {
      const which = blocks.length > 1 ? ` (certificate ${i + 1} of ${blocks.length})` : '';
      const cert = parse(block[0]);
      if (cert.error !== undefined) {
        problems.push(`'${prop}'${which} does not parse as an X.509 certificate (${cert.error}); pass the PEM exactly as issued`);
        return;
      }
      if (options.ca && !cert.ca) {
        problems.push(`'${prop}'${which} (${cert.subject!.replace(/\n/g, ', ')}) is not a CA certificate (no basicConstraints CA:TRUE); ` +
          'pass the CA that issued the server certificate, not the server certificate itself');
      }
    });
    return problems;
  }

  /** The PEM certificates of a bundle, normalized (one block per certificate, a newline after each). */
  public static certificates(text: string): string[] {
    return [...text.matchAll(BLOCK)].map((b) => `${b[0].trim()}\n`);
  }

  private constructor() {}
}
