/**
 * Model 2: Vault's PKI secrets engine, as a state machine of mounts (keys, issuers, the default issuer, roles,
 * stored certificates, revocations, CRLs). Followed in hashicorp/vault (read through the code index; the commit each
 * file was stored at is given, see README.md):
 * - builtin/logical/pki/issuing/issuers.go @2d71a49 — issuer usages (read-only, issuing-certificates, crl-signing,
 *   ocsp-signing), EnsureUsage, ResolveIssuerReference ("default" → config/issuers, else ID, else name; "no default
 *   issuer currently configured"), ResolveAndFetchIssuerForIssuance, DeleteIssuer (clears the default when the deleted
 *   issuer was the default);
 * - builtin/logical/pki/path_fetch_issuers.go @75872e4 — DELETE issuer/:ref (a reference that does not resolve is
 *   "deleted" successfully; warning when it was the default), issuer update (name, usage, leaf_not_after_behavior);
 * - builtin/logical/pki/path_config_ca.go @01c88db — config/issuers write: `default` must be non-empty, not
 *   "default", and resolve to an issuer; default_follows_latest_issuer;
 * - builtin/logical/pki/storage.go (importIssuer) — a generated or imported issuer with a key becomes the default when
 *   no default is set (or there were no issuers); with default_follows_latest_issuer it always does
 *   (TestIntegration_AutoIssuer, integration_test.go @03583e9); importing a certificate already present returns it as
 *   existing, not imported;
 * - builtin/logical/pki/path_issue_sign.go — sign/:role and issue/:role use the role's issuer_ref ("default" when
 *   empty), resolved at sign time, and need IssuanceUsage (chain_test.go @57295bf: "requested usage
 *   issuing-certificates for issuer");
 * - builtin/logical/pki/path_revoke.go — revoke by serial_number: the certificate must be stored in this mount;
 *   revoking an issuer of this mount through /revoke is refused ("adding issuer (id: ...) to its own CRL is not
 *   allowed"); revoking twice returns the first revocation; the revoked certificate goes on the CRL of the issuer
 *   that signed it (crl_util.go).
 *
 * Approximations: certificates are symbolic (serial, subject, signing issuer, key), not X.509; no expiry/TTL, no
 * tidy, no OCSP, no cross-mount knowledge (an intermediate revoked at the root's mount still issues in its own mount,
 * as in Vault); an issuer revoked through issuer/:ref/revoke loses issuing-certificates usage.
 */

export type Usage = 'read-only' | 'issuing-certificates' | 'crl-signing' | 'ocsp-signing';
const ALL_USAGES: Usage[] = ['read-only', 'issuing-certificates', 'crl-signing', 'ocsp-signing'];

export interface Key { readonly id: string; readonly name: string }

export interface Issuer {
  readonly id: string;
  readonly name: string;
  readonly keyId?: string;
  /** Serial of the issuer's certificate. */
  readonly certSerial: string;
  readonly usage: readonly Usage[];
  readonly leafNotAfterBehavior: string;
  readonly revoked: boolean;
}

export interface Certificate {
  readonly serial: string;
  readonly commonName: string;
  readonly isCA: boolean;
  /** The key the certificate certifies (its subject key). */
  readonly keyId: string;
  /** The mount and issuer that signed it; self-signed roots point to themselves. */
  readonly signedBy: { readonly mount: string; readonly issuerId: string; readonly certSerial: string };
}

export interface Role { readonly name: string; readonly issuerRef: string; readonly noStore: boolean }

export interface Mount {
  readonly path: string;
  readonly keys: Record<string, Key>;
  readonly issuers: Record<string, Issuer>;
  /** config/issuers `default` ('' when none). */
  readonly defaultIssuer: string;
  readonly defaultFollowsLatestIssuer: boolean;
  readonly roles: Record<string, Role>;
  /** Certificates stored by this mount (certs/:serial). */
  readonly stored: readonly string[];
  readonly revoked: Record<string, { readonly order: number }>;
}

export interface VaultState {
  readonly mounts: Record<string, Mount>;
  /** Every certificate ever issued, by serial (the world's view, for chains). */
  readonly certificates: Record<string, Certificate>;
  readonly counter: number;
}

export const EMPTY_VAULT: VaultState = { mounts: {}, certificates: {}, counter: 0 };

export class VaultError extends Error {}

/** A mutable working copy; every API call returns the new state. */
class Tx {
  s: { mounts: Record<string, Mount>; certificates: Record<string, Certificate>; counter: number };
  constructor(state: VaultState) {
    this.s = JSON.parse(JSON.stringify(state));
  }
  id(prefix: string): string {
    this.s.counter++;
    return `${prefix}-${String(this.s.counter).padStart(4, '0')}`;
  }
  mount(path: string): Mount {
    const m = this.s.mounts[path];
    if (!m) throw new VaultError(`no handler for route "${path}". route entry not found.`);
    return m;
  }
  setMount(m: Mount): void { this.s.mounts[m.path] = m; }
  done(): VaultState { return this.s; }
}

function resolveIssuer(m: Mount, ref: string): Issuer {
  if (ref === 'default') {
    if (!m.defaultIssuer) throw new VaultError('no default issuer currently configured');
    const i = m.issuers[m.defaultIssuer];
    if (!i) throw new VaultError(`pki issuer id ${m.defaultIssuer} does not exist`);
    return i;
  }
  if (m.issuers[ref]) return m.issuers[ref];
  const byName = Object.values(m.issuers).find((i) => i.name === ref);
  if (!byName) throw new VaultError(`unable to find PKI issuer for reference: ${ref}`);
  return byName;
}

function ensureUsage(i: Issuer, usage: Usage): void {
  if (!i.usage.includes(usage)) {
    throw new VaultError(`requested usage ${usage} for issuer [id:${i.id} / name:${i.name}] but only had usage ${[...i.usage].sort().join(',')}`);
  }
}

function parseUsage(u: string | readonly string[]): Usage[] {
  const names = typeof u === 'string' ? u.split(',').map((x) => x.trim()).filter(Boolean) : [...u];
  for (const n of names) if (!ALL_USAGES.includes(n as Usage)) throw new VaultError(`unknown name for usage: ${n}`);
  return [...new Set(names as Usage[])].sort();
}

/** importIssuer's default rule (storage.go): a keyed issuer becomes default when none is set, or when following latest. */
function afterImport(m: Mount, issuer: Issuer, hadIssuers: boolean): Mount {
  if (!issuer.keyId) return m;
  if (!hadIssuers || !m.defaultIssuer || m.defaultFollowsLatestIssuer) return { ...m, defaultIssuer: issuer.id };
  return m;
}

export function enableMount(state: VaultState, path: string): VaultState {
  const tx = new Tx(state);
  if (tx.s.mounts[path]) throw new VaultError(`path is already in use at ${path}/`);
  tx.setMount({ path, keys: {}, issuers: {}, defaultIssuer: '', defaultFollowsLatestIssuer: false, roles: {}, stored: [], revoked: {} });
  return tx.done();
}

export function disableMount(state: VaultState, path: string): VaultState {
  const tx = new Tx(state);
  delete tx.s.mounts[path];
  return tx.done();
}

export interface Generated { readonly state: VaultState; readonly issuerId: string; readonly keyId: string; readonly serial: string }

/** issuers/generate/root/internal. */
export function generateRoot(state: VaultState, mount: string, opts: { commonName: string; keyName?: string; issuerName?: string }): Generated {
  const tx = new Tx(state);
  const m = tx.mount(mount);
  if (opts.issuerName && Object.values(m.issuers).some((i) => i.name === opts.issuerName)) throw new VaultError(`issuer name already in use: ${opts.issuerName}`);
  const keyId = tx.id('key');
  const issuerId = tx.id('issuer');
  const serial = tx.id('serial');
  tx.s.certificates[serial] = { serial, commonName: opts.commonName, isCA: true, keyId, signedBy: { mount, issuerId, certSerial: serial } };
  const issuer: Issuer = { id: issuerId, name: opts.issuerName ?? '', keyId, certSerial: serial, usage: [...ALL_USAGES].sort(), leafNotAfterBehavior: 'err', revoked: false };
  const hadIssuers = Object.keys(m.issuers).length > 0;
  const next: Mount = { ...m, keys: { ...m.keys, [keyId]: { id: keyId, name: opts.keyName ?? '' } }, issuers: { ...m.issuers, [issuerId]: issuer }, stored: [...m.stored, serial] };
  tx.setMount(afterImport(next, issuer, hadIssuers));
  return { state: tx.done(), issuerId, keyId, serial };
}

/** intermediate/generate/internal: a new key; the CSR names it. */
export function generateIntermediateCsr(
  state: VaultState, mount: string, opts: { commonName: string; keyName?: string },
): { state: VaultState; keyId: string; csr: string } {
  const tx = new Tx(state);
  const m = tx.mount(mount);
  const keyId = tx.id('key');
  tx.setMount({ ...m, keys: { ...m.keys, [keyId]: { id: keyId, name: opts.keyName ?? '' } } });
  return { state: tx.done(), keyId, csr: `csr:${keyId}:${opts.commonName}` };
}

/** issuer/:ref/sign-intermediate (root/sign-intermediate with ref "default"). */
export function signIntermediate(
  state: VaultState, mount: string, issuerRef: string, csr: string, commonName: string,
): { state: VaultState; serial: string } {
  const tx = new Tx(state);
  const m = tx.mount(mount);
  const issuer = resolveIssuer(m, issuerRef || 'default');
  ensureUsage(issuer, 'issuing-certificates');
  if (!issuer.keyId) throw new VaultError(`unable to fetch corresponding key for issuer ${issuer.id}; unable to use this issuer for signing`);
  const [, keyId] = csr.split(':');
  const serial = tx.id('serial');
  tx.s.certificates[serial] = { serial, commonName, isCA: true, keyId, signedBy: { mount, issuerId: issuer.id, certSerial: issuer.certSerial } };
  tx.setMount({ ...m, stored: [...m.stored, serial] });
  return { state: tx.done(), serial };
}

/** intermediate/set-signed: import the signed certificate as an issuer (keyed when its key lives in this mount). */
export function setSigned(
  state: VaultState, mount: string, certSerial: string,
): { state: VaultState; importedIssuers: string[]; importedKeys: string[] } {
  const tx = new Tx(state);
  const m = tx.mount(mount);
  const cert = tx.s.certificates[certSerial];
  if (!cert) throw new VaultError('no data found in PEM bundle');
  if (Object.values(m.issuers).some((i) => i.certSerial === certSerial)) return { state: tx.done(), importedIssuers: [], importedKeys: [] };
  const issuerId = tx.id('issuer');
  const keyId = m.keys[cert.keyId] ? cert.keyId : undefined;
  const issuer: Issuer = { id: issuerId, name: '', keyId, certSerial, usage: [...ALL_USAGES].sort(), leafNotAfterBehavior: 'err', revoked: false };
  const hadIssuers = Object.keys(m.issuers).length > 0;
  tx.setMount(afterImport({ ...m, issuers: { ...m.issuers, [issuerId]: issuer } }, issuer, hadIssuers));
  return { state: tx.done(), importedIssuers: [issuerId], importedKeys: [] };
}

export function readIssuer(state: VaultState, mount: string, ref: string): Issuer | undefined {
  const m = state.mounts[mount];
  if (!m) return undefined;
  try { return resolveIssuer(m, ref); } catch { return undefined; }
}

/** POST/PATCH issuer/:ref: name, usage, leaf_not_after_behavior. */
export function updateIssuer(
  state: VaultState, mount: string, ref: string, fields: { name?: string; usage?: string | string[]; leafNotAfterBehavior?: string },
): VaultState {
  const tx = new Tx(state);
  const m = tx.mount(mount);
  const i = resolveIssuer(m, ref);
  if (fields.name !== undefined && fields.name !== i.name && Object.values(m.issuers).some((o) => o.id !== i.id && o.name === fields.name)) {
    throw new VaultError(`issuer name already in use: ${fields.name}`);
  }
  const next: Issuer = {
    ...i,
    name: fields.name ?? i.name,
    usage: fields.usage !== undefined ? parseUsage(fields.usage) : i.usage,
    leafNotAfterBehavior: fields.leafNotAfterBehavior ?? i.leafNotAfterBehavior,
  };
  tx.setMount({ ...m, issuers: { ...m.issuers, [i.id]: next } });
  return tx.done();
}

/** DELETE issuer/:ref. Returns whether it was the default (Vault then only warns). */
export function deleteIssuer(state: VaultState, mount: string, ref: string): { state: VaultState; wasDefault: boolean } {
  const tx = new Tx(state);
  const m = tx.mount(mount);
  let i: Issuer;
  try { i = resolveIssuer(m, ref); } catch { return { state, wasDefault: false }; }
  const issuers = { ...m.issuers };
  delete issuers[i.id];
  const wasDefault = m.defaultIssuer === i.id;
  tx.setMount({ ...m, issuers, defaultIssuer: wasDefault ? '' : m.defaultIssuer });
  return { state: tx.done(), wasDefault };
}

/** POST config/issuers. */
export function writeConfigIssuers(state: VaultState, mount: string, def: string, followsLatest?: boolean): VaultState {
  const tx = new Tx(state);
  const m = tx.mount(mount);
  if (!def || def === 'default') throw new VaultError("Invalid issuer specification; must be non-empty and can't be 'default'.");
  let i: Issuer;
  try { i = resolveIssuer(m, def); } catch (e) { throw new VaultError(`Error resolving issuer reference: ${(e as Error).message}`); }
  tx.setMount({ ...m, defaultIssuer: i.id, defaultFollowsLatestIssuer: followsLatest ?? m.defaultFollowsLatestIssuer });
  return tx.done();
}

export function writeRole(state: VaultState, mount: string, name: string, issuerRef: string, noStore = false): VaultState {
  const tx = new Tx(state);
  const m = tx.mount(mount);
  tx.setMount({ ...m, roles: { ...m.roles, [name]: { name, issuerRef: issuerRef || 'default', noStore } } });
  return tx.done();
}

export function deleteRole(state: VaultState, mount: string, name: string): VaultState {
  const tx = new Tx(state);
  const m = tx.mount(mount);
  const roles = { ...m.roles };
  delete roles[name];
  tx.setMount({ ...m, roles });
  return tx.done();
}

/** The issuer sign/:role would use now, or the error Vault returns. */
export function signingIssuer(state: VaultState, mount: string, role: string): { issuer?: Issuer; error?: string } {
  try {
    const m = state.mounts[mount];
    if (!m) throw new VaultError(`no handler for route "${mount}/sign/${role}". route entry not found.`);
    const r = m.roles[role];
    if (!r) throw new VaultError(`unknown role: ${role}`);
    const i = resolveIssuer(m, r.issuerRef);
    ensureUsage(i, 'issuing-certificates');
    if (!i.keyId || !m.keys[i.keyId]) throw new VaultError(`issuer ${r.issuerRef} missing proper issuance usage or doesn't have associated key`);
    return { issuer: i };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

/** sign/:role: issue a leaf through the role's issuer_ref, resolved now. */
export function sign(state: VaultState, mount: string, role: string, commonName: string): { state: VaultState; serial: string } {
  const { issuer, error } = signingIssuer(state, mount, role);
  if (!issuer) throw new VaultError(error!);
  const tx = new Tx(state);
  const m = tx.mount(mount);
  const serial = tx.id('serial');
  tx.s.certificates[serial] = { serial, commonName, isCA: false, keyId: tx.id('leafkey'), signedBy: { mount, issuerId: issuer.id, certSerial: issuer.certSerial } };
  if (!m.roles[role].noStore) tx.setMount({ ...m, stored: [...m.stored, serial] });
  return { state: tx.done(), serial };
}

/** POST revoke {serial_number}. */
export function revoke(state: VaultState, mount: string, serial: string): VaultState {
  const tx = new Tx(state);
  const m = tx.mount(mount);
  const own = Object.values(m.issuers).find((i) => i.certSerial === serial);
  if (own) throw new VaultError(`adding issuer (id: ${own.id}) to its own CRL is not allowed`);
  if (m.revoked[serial]) return state;
  if (!m.stored.includes(serial)) throw new VaultError(`certificate with serial ${serial} not found`);
  tx.s.counter++;
  tx.setMount({ ...m, revoked: { ...m.revoked, [serial]: { order: tx.s.counter } } });
  return tx.done();
}

/** POST issuer/:ref/revoke: the issuer is marked revoked and stops issuing. */
export function revokeIssuer(state: VaultState, mount: string, ref: string): VaultState {
  const tx = new Tx(state);
  const m = tx.mount(mount);
  const i = resolveIssuer(m, ref);
  tx.s.counter++;
  const next: Issuer = { ...i, revoked: true, usage: i.usage.filter((u) => u !== 'issuing-certificates') };
  const parentHere = Object.values(m.issuers).some((p) => p.id !== i.id && tx.s.certificates[i.certSerial]?.signedBy.certSerial === p.certSerial);
  tx.setMount({
    ...m,
    issuers: { ...m.issuers, [i.id]: next },
    revoked: parentHere ? { ...m.revoked, [i.certSerial]: { order: tx.s.counter } } : m.revoked,
  });
  return tx.done();
}

// ---------------------------------------------------------------------------------------------------------------
// Checks a caller needs

export function defaultIssuer(state: VaultState, mount: string): Issuer | undefined {
  const m = state.mounts[mount];
  return m && m.defaultIssuer ? m.issuers[m.defaultIssuer] : undefined;
}

/** The role's issuer_ref resolves to an existing issuer with issuing-certificates usage and a key. */
export function canSign(state: VaultState, mount: string, role: string): { ok: boolean; issuer?: string; reason?: string } {
  const r = signingIssuer(state, mount, role);
  return r.issuer ? { ok: true, issuer: r.issuer.name || r.issuer.id } : { ok: false, reason: r.error };
}

/** The certificate and its issuers up to the self-signed root (by serial). */
export function chainOf(state: VaultState, serial: string): Certificate[] {
  const out: Certificate[] = [];
  let c: Certificate | undefined = state.certificates[serial];
  while (c && !out.includes(c)) {
    out.push(c);
    if (c.signedBy.certSerial === c.serial) break;
    c = state.certificates[c.signedBy.certSerial];
  }
  return out;
}

/** Revoked in the mount that stored it (and so on the CRL of the issuer that signed it, when that issuer exists). */
export function isRevoked(state: VaultState, serial: string): boolean {
  return Object.values(state.mounts).some((m) => Boolean(m.revoked[serial]));
}

/** The CRL of an issuer: the revoked certificates it signed (crl_util.go builds one CRL per issuer). */
export function crlOf(state: VaultState, mount: string, issuerRef: string): string[] {
  const m = state.mounts[mount];
  if (!m) return [];
  const i = readIssuer(state, mount, issuerRef);
  if (!i) return [];
  return Object.keys(m.revoked).filter((s) => state.certificates[s]?.signedBy.issuerId === i.id).sort();
}
