import * as fs from 'fs';
import * as path from 'path';
import {
  replay, ReplayResult, replaySequence, signedSerial, Start, stepsWhereARoleCannotSign,
} from './replay';
import * as v from './vault';

const UPSTREAM = JSON.parse(fs.readFileSync(path.join(__dirname, 'upstream-cases.json'), 'utf8')) as {
  cases: Array<{ source: string; test: string; steps: Array<Record<string, unknown>> }>;
};

describe('Model 2 agrees with hashicorp/vault PKI tests and code (upstream-cases.json)', () => {
  test.each(UPSTREAM.cases.map((c, i) => [`${i + 1}. ${c.test}`, c] as const))('%s', (_n, c) => {
    let s = v.enableMount(v.EMPTY_VAULT, 'pki');
    const saved: Record<string, string> = {};
    const ref = (x: unknown): string => saved[String(x)] ?? String(x);
    for (const step of c.steps) {
      const run = (): void => {
        switch (step.op) {
          case 'generateRoot': {
            const g = v.generateRoot(s, 'pki', { commonName: String(step.name), issuerName: String(step.name) });
            s = g.state;
            saved[String(step.save)] = g.issuerId;
            saved[`${String(step.save)}:cert`] = g.serial;
            break;
          }
          case 'writeConfigIssuers': s = v.writeConfigIssuers(s, 'pki', ref(step.default), step.followsLatest as boolean | undefined); break;
          case 'deleteIssuer': {
            const r = v.deleteIssuer(s, 'pki', ref(step.ref));
            s = r.state;
            if (step.expectWasDefault !== undefined) expect(r.wasDefault).toBe(step.expectWasDefault);
            break;
          }
          case 'importCert': {
            const r = v.setSigned(s, 'pki', saved[`${String(step.cert)}:cert`]);
            s = r.state;
            saved[String(step.save)] = r.importedIssuers[0];
            break;
          }
          case 'updateIssuer': s = v.updateIssuer(s, 'pki', ref(step.ref), { usage: String(step.usage) }); break;
          case 'writeRole': s = v.writeRole(s, 'pki', String(step.role), ref(step.issuerRef)); break;
          case 'sign': s = v.sign(s, 'pki', String(step.role), 'localhost').state; break;
          case 'csr': {
            const r = v.generateIntermediateCsr(s, 'pki', { commonName: 'Int X1' });
            s = r.state;
            saved[String(step.save)] = r.csr;
            break;
          }
          case 'signIntermediate': {
            const r = v.signIntermediate(s, 'pki', String(step.issuerRef), ref(step.csr), 'Int X1');
            s = r.state;
            saved[`${String(step.save)}:cert`] = r.serial;
            break;
          }
          case 'setSigned': {
            const r = v.setSigned(s, 'pki', saved[`${String(step.cert)}:cert`]);
            s = r.state;
            saved[String(step.save)] = r.importedIssuers[0];
            break;
          }
          case 'revokeIssuerCert': s = v.revoke(s, 'pki', saved[`${String(step.issuer)}:cert`]); break;
          default: break;
        }
      };
      if (step.op !== undefined) {
        if (step.expectError) expect(run).toThrow(String(step.expectError));
        else if ('expectError' in step) expect(run).not.toThrow();
        else run();
      }
      if (step.expectDefault !== undefined) expect(v.defaultIssuer(s, 'pki')?.id ?? '').toBe(step.expectDefault === '' ? '' : ref(step.expectDefault));
    }
  });
});

describe('Model 2 checks', () => {
  test('canSign resolves the role\'s issuer_ref at sign time; chainOf walks to the root; revocation lands on the signer\'s CRL', () => {
    let s = v.enableMount(v.enableMount(v.EMPTY_VAULT, 'root'), 'int');
    const root = v.generateRoot(s, 'root', { commonName: 'root', issuerName: 'root' });
    s = root.state;
    const csr = v.generateIntermediateCsr(s, 'int', { commonName: 'int' });
    s = csr.state;
    const signed = v.signIntermediate(s, 'root', 'root', csr.csr, 'int');
    s = signed.state;
    const imported = v.setSigned(s, 'int', signed.serial);
    s = imported.state;
    s = v.writeRole(s, 'int', 'tenant', 'default');
    expect(v.canSign(s, 'int', 'tenant')).toEqual({ ok: true, issuer: imported.importedIssuers[0] });
    const leaf = v.sign(s, 'int', 'tenant', 'a.example');
    expect(v.chainOf(leaf.state, leaf.serial).map((c) => c.serial)).toEqual([leaf.serial, signed.serial, root.serial]);
    s = v.revoke(leaf.state, 'root', signed.serial);
    expect(v.isRevoked(s, signed.serial)).toBe(true);
    expect(v.crlOf(s, 'root', 'root')).toEqual([signed.serial]);
    // Vault has no cross-mount knowledge: the revoked intermediate still issues in its own mount.
    expect(v.canSign(s, 'int', 'tenant').ok).toBe(true);
    s = v.updateIssuer(s, 'int', imported.importedIssuers[0], { usage: 'read-only,crl-signing' });
    expect(v.canSign(s, 'int', 'tenant')).toMatchObject({ ok: false, reason: expect.stringMatching(/requested usage issuing-certificates/) });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The library's rotation examples, replayed. Frozen outputs of commit e2c9602 (fixtures/); see README.md.

const FIXTURES = path.join(__dirname, 'fixtures');
function phase(name: string): unknown {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.tf.json`), 'utf8'));
}
const SERVICES_G1 = 'vault_pki_secret_backend_root_sign_intermediate.pki_int_services_signed';

interface Outcome {
  /** Operations after which at least one tenant role cannot sign. */
  readonly windows: number;
  /** The first operation that leaves a role unable to sign. */
  readonly firstBreak?: string;
  readonly applied: boolean;
}

function outcome(r: ReplayResult): Outcome {
  const w = stepsWhereARoleCannotSign(r);
  return { windows: w.length, firstBreak: w[0]?.op, applied: r.applied && r.errors.length === 0 };
}

/**
 * Today's behaviour (library at e2c9602). Each row is what the replay shows; flip a row when the library changes.
 * windows = operations after which some tenant role (issuer_ref "default") cannot sign.
 */
const TODAY = {
  'reference -> 1-prepare': { windows: 0, applied: true },
  '1-prepare -> 2-switch': { windows: 0, applied: true },
  '2-switch -> 3-retire': { windows: 0, applied: true },
  'reference -> 3-retire (skipped phases)': { windows: 23, firstBreak: 'vault_pki_secret_backend_issuer.pki_int_services_issuer (destroy)', applied: true },
  'reference -> compromise/2-revoke (skipped phase)': { windows: 6, firstBreak: 'vault_pki_secret_backend_issuer.pki_int_services_issuer (destroy)', applied: true },
  '2-switch -> 1-prepare (reversed)': { windows: 0, applied: true },
  'reference -> compromise/1-replace': { windows: 0, applied: true },
  'compromise/1-replace -> compromise/2-revoke': { windows: 0, applied: true },
} as const;

/** Whether the compromised generation (services intermediate g1) ends revoked at the root. */
const TODAY_REVOKED = {
  'reference -> compromise/1-replace -> compromise/2-revoke': true,
  'reference -> compromise/2-revoke (skipped phase)': false,
} as const;

describe('phase pairs of examples/rotation replayed on the Vault model (today\'s library output)', () => {
  let seq: Array<ReplayResult & { start: Start }>;
  let compromise: Array<ReplayResult & { start: Start }>;
  beforeAll(() => {
    seq = replaySequence(['reference', '1-prepare', '2-switch', '3-retire'].map(phase));
    compromise = replaySequence(['reference', 'compromise-1-replace', 'compromise-2-revoke'].map(phase));
  });

  test('reference -> 1-prepare -> 2-switch -> 3-retire, in order: every tenant role can sign after every operation', () => {
    expect(outcome(seq[0])).toEqual(TODAY['reference -> 1-prepare']);
    expect(outcome(seq[1])).toEqual(TODAY['1-prepare -> 2-switch']);
    expect(outcome(seq[2])).toEqual(TODAY['2-switch -> 3-retire']);
    // The switch moves the default to g2 before g1 loses issuing-certificates (g1's issuer depends_on config_issuers).
    const ids = seq[1].steps.map((s) => s.op.id);
    expect(ids.indexOf('vault_pki_secret_backend_config_issuers.pki_int_services_default-issuer'))
      .toBeLessThan(ids.indexOf('vault_pki_secret_backend_issuer.pki_int_services_issuer'));
    expect(v.defaultIssuer(seq[2].vault, 'pki-int-services')?.name).toBe('services-g2');
  });

  test('reference -> 3-retire (skipped phases): the g1 issuer (the default) is deleted before config_issuers moves to g2', () => {
    const r = replay(phase('reference'), phase('3-retire'));
    expect(outcome(r)).toEqual(TODAY['reference -> 3-retire (skipped phases)']);
    const broken = r.steps.find((s) => s.op.id === TODAY['reference -> 3-retire (skipped phases)'].firstBreak)!;
    expect(broken.signing['pki-int-services/api-vault-services']).toMatchObject({ ok: false, reason: 'no default issuer currently configured' });
    // It heals at the end: set-signed of g2 into a mount with no default makes g2 the default, then config_issuers names it.
    expect(r.steps[r.steps.length - 1].signing['pki-int-services/api-vault-services'].ok).toBe(true);
  });

  test('reference -> compromise/2-revoke (skipped phase): a window without a default, and the compromised g1 is NOT revoked', () => {
    const r = replay(phase('reference'), phase('compromise-2-revoke'));
    expect(outcome(r)).toEqual(TODAY['reference -> compromise/2-revoke (skipped phase)']);
    const serial = signedSerial(r.start.tfState, SERVICES_G1)!;
    expect(v.isRevoked(r.vault, serial)).toBe(TODAY_REVOKED['reference -> compromise/2-revoke (skipped phase)']);
  });

  test('reference -> compromise/1-replace -> compromise/2-revoke: no window, and g1 ends revoked at the root (revoke=true was in prior state)', () => {
    expect(outcome(compromise[0])).toEqual(TODAY['reference -> compromise/1-replace']);
    expect(outcome(compromise[1])).toEqual(TODAY['compromise/1-replace -> compromise/2-revoke']);
    const serial = signedSerial(compromise[0].start.tfState, SERVICES_G1)!;
    expect(v.isRevoked(compromise[1].vault, serial)).toBe(TODAY_REVOKED['reference -> compromise/1-replace -> compromise/2-revoke']);
    expect(v.crlOf(compromise[1].vault, 'pki-root', 'root')).toContain(serial);
  });

  test('2-switch -> 1-prepare (reversed): g1 regains issuing-certificates before the default moves back', () => {
    const r = replay(phase('2-switch'), phase('1-prepare'), { start: { tfState: seq[1].tfState, vault: seq[1].vault } });
    expect(outcome(r)).toEqual(TODAY['2-switch -> 1-prepare (reversed)']);
    expect(v.defaultIssuer(r.vault, 'pki-int-services')?.name).toBe('services');
  });

  test('a mid-apply failure (g2 issuer resource fails): config_issuers is skipped, yet set-signed already made g2 the default', () => {
    const r = replay(phase('reference'), phase('3-retire'), { failOn: ['vault_pki_secret_backend_issuer.pki_int_services_issuer_g2'] });
    expect(r.errors.length).toBe(1);
    expect(r.steps.find((s) => s.op.id === 'vault_pki_secret_backend_config_issuers.pki_int_services_default-issuer')!.outcome).toBe('skipped');
    // set-signed of g2 already made g2 the default (importIssuer: no default set), so signing works again.
    expect(v.canSign(r.vault, 'pki-int-services', 'api-vault-services').ok).toBe(true);
  });
});
