// Throwaway CAs and leaves minted with the OpenSSL CLI, with the parameters the Terraform asks Vault for (read from the
// synthesized cdk.tf.json by terraform-pki.ts): key type and size, lifetime, path length, permitted DNS domains, usages.
// Keys live in a temporary directory for the length of a test; nothing is kept.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** A key as Vault's `key_type` / `key_bits` name it. */
export interface KeySpec {
  readonly keyType: string;
  readonly keyBits: number;
}

/** A CA certificate request: what `root_cert` or `root_sign_intermediate` + its CSR ask for. */
export interface CaSpec extends KeySpec {
  readonly commonName: string;
  readonly days: number;
  /** `max_path_length`: the basicConstraints pathLenConstraint. */
  readonly pathLength: number;
  /** `permitted_dns_domains`: a critical name constraint. */
  readonly permittedDnsDomains?: readonly string[];
}

/** A leaf request: what a tenant role lets Vault sign. */
export interface LeafSpec extends KeySpec {
  readonly commonName?: string;
  readonly dnsNames: readonly string[];
  readonly days: number;
  /** Key usages as Vault's role names them (`DigitalSignature`, `KeyEncipherment`). */
  readonly keyUsage: readonly string[];
  readonly serverAuth: boolean;
  readonly clientAuth: boolean;
  /** Mint it as a CA (to prove an intermediate with path length 0 cannot sign one that works). @default false */
  readonly ca?: boolean;
}

/** A minted certificate with its key (PEM). */
export interface Minted {
  readonly name: string;
  readonly certPem: string;
  readonly keyPem: string;
  /** Its chain up to, not including, the root: itself, then its issuers (what a server sends, what cert-manager stores in tls.crt). */
  readonly chainPem: string;
  /** Self-signed. */
  readonly root: boolean;
}

const KEY_USAGE: Record<string, string> = {
  DigitalSignature: 'digitalSignature', KeyEncipherment: 'keyEncipherment', KeyAgreement: 'keyAgreement', CertSign: 'keyCertSign', CRLSign: 'cRLSign',
};

/** A directory of throwaway keys and certificates. */
export class OpenSslCa {
  private readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-pki-x509-'));
  private serial = 4096;

  /** A self-signed root (Vault `root_cert` with `type = internal`). */
  public root(name: string, spec: CaSpec): Minted {
    this.key(name, spec);
    this.extensions(name, caExtensions(spec));
    this.openssl(['req', '-x509', '-new', '-key', `${name}.key`, '-subj', `/CN=${spec.commonName}`, '-days', String(spec.days),
      '-sha256', '-set_serial', String(this.serial++), '-config', `${name}.cnf`, '-extensions', 'ext', '-out', `${name}.crt`]);
    return this.minted(name);
  }

  /** An intermediate signed by `issuer` (Vault: a CSR, then `root_sign_intermediate` with `use_csr_values = false`). */
  public intermediate(name: string, spec: CaSpec, issuer: Minted): Minted {
    this.key(name, spec);
    this.extensions(name, caExtensions(spec));
    this.sign(name, spec.commonName, spec.days, issuer);
    return this.minted(name, issuer);
  }

  /** A leaf signed by `issuer` (Vault `sign/<role>`). */
  public leaf(name: string, spec: LeafSpec, issuer: Minted): Minted {
    this.key(name, spec);
    const usages = spec.keyUsage.map((u) => KEY_USAGE[u] ?? (() => { throw new Error(`unknown key usage ${u}`); })());
    const eku = [spec.serverAuth ? 'serverAuth' : '', spec.clientAuth ? 'clientAuth' : ''].filter(Boolean);
    this.extensions(name, [
      // Vault leaves carry no basicConstraints (the role's basic_constraints_valid_for_non_ca = false); a CA on request.
      ...(spec.ca ? ['basicConstraints = critical, CA:TRUE', 'keyUsage = critical, keyCertSign, cRLSign'] : [`keyUsage = critical, ${usages.join(', ')}`]),
      ...(eku.length > 0 && !spec.ca ? [`extendedKeyUsage = ${eku.join(', ')}`] : []),
      ...(spec.dnsNames.length > 0 ? [`subjectAltName = ${spec.dnsNames.map((d) => `DNS:${d}`).join(', ')}`] : []),
      'subjectKeyIdentifier = hash',
      'authorityKeyIdentifier = keyid',
    ]);
    this.sign(name, spec.commonName ?? spec.dnsNames[0], spec.days, issuer);
    return this.minted(name, issuer);
  }

  /** Removes every key and certificate. */
  public dispose(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private key(name: string, spec: KeySpec): void {
    const args = spec.keyType === 'ec'
      ? ['-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${({ 256: 'P-256', 384: 'P-384', 521: 'P-521' } as Record<number, string>)[spec.keyBits]}`]
      : spec.keyType === 'rsa' ? ['-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${spec.keyBits}`]
        : spec.keyType === 'ed25519' ? ['-algorithm', 'ED25519'] : undefined;
    if (!args) throw new Error(`${name}: key type ${spec.keyType} is not minted here`);
    this.openssl(['genpkey', ...args, '-out', `${name}.key`]);
  }

  private extensions(name: string, lines: string[]): void {
    fs.writeFileSync(path.join(this.dir, `${name}.cnf`), ['[req]', 'distinguished_name = dn', '[dn]', '[ext]', ...lines, ''].join('\n'));
  }

  private sign(name: string, commonName: string, days: number, issuer: Minted): void {
    this.openssl(['req', '-new', '-key', `${name}.key`, '-subj', `/CN=${commonName}`, '-config', `${name}.cnf`, '-out', `${name}.csr`]);
    this.openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer.name}.crt`, '-CAkey', `${issuer.name}.key`, '-set_serial', String(this.serial++),
      '-days', String(days), '-sha256', '-extfile', `${name}.cnf`, '-extensions', 'ext', '-out', `${name}.crt`]);
  }

  private minted(name: string, issuer?: Minted): Minted {
    const certPem = fs.readFileSync(path.join(this.dir, `${name}.crt`), 'utf8');
    const keyPem = fs.readFileSync(path.join(this.dir, `${name}.key`), 'utf8');
    const chainPem = certPem + (issuer && !issuer.root ? issuer.chainPem : '');
    return { name, certPem, keyPem, chainPem, root: issuer === undefined };
  }

  private openssl(args: string[]): void {
    const result = spawnSync('openssl', args, { cwd: this.dir, encoding: 'utf8' });
    if (result.error) throw new Error(`openssl could not run (${result.error.message}): it must be on PATH`);
    if (result.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${result.stderr}`);
  }
}

function caExtensions(spec: CaSpec): string[] {
  return [
    `basicConstraints = critical, CA:TRUE, pathlen:${spec.pathLength}`,
    'keyUsage = critical, keyCertSign, cRLSign',
    ...(spec.permittedDnsDomains?.length ? [`nameConstraints = critical, ${spec.permittedDnsDomains.map((d) => `permitted;DNS:${d}`).join(', ')}`] : []),
    'subjectKeyIdentifier = hash',
  ];
}
