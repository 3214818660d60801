// A rotation rehearsed with real X.509 and a real TLS stack: for every phase of examples/rotation, a throwaway hierarchy is
// minted with OpenSSL with exactly the parameters the phase's Terraform asks Vault for (tests/x509/terraform-pki.ts reads
// them back out of cdk.tf.json), and every leaf alive at that phase (old and new generation) must complete a mutual-TLS
// handshake with Node's TLS against the trust bundle that phase publishes (the CA ConfigMap's roots.crt). Cutting the
// overlap short, a name outside the intermediate's constraints and a certificate signed below path length 0 must fail.
import { spawnSync } from 'child_process';
import { X509Certificate } from 'crypto';
import { Testing as K8sTesting } from 'cdk8s';
import { Testing as TfTesting } from 'cdktf';
import { errorOf } from './util';
import { Minted, OpenSslCa } from './x509/openssl-ca';
import { TerraformPki } from './x509/terraform-pki';
import { mtls } from './x509/tls-handshake';
import { buildReferenceScenario, CaGenerations } from '../examples/reference/scenario';
import { COMPROMISE_REPLACE, COMPROMISE_REVOKE, PREPARE, PREPARED_SINCE, RETIRE, SWITCH, SWITCHED_AT } from '../examples/rotation/phases';
import { GenerationState } from '../src';

const NOW = '2026-11-24T12:00:00Z';
const MOUNT = 'pki-int-services';
const SERVER = 'mtls.payments.services.internal';
const CLIENT = 'mtls.auth.services.internal';

function plan(generations: CaGenerations): TerraformPki {
  const tf = TfTesting.app({ context: { 'cdk8s-vault-pki:now': NOW } });
  const { vault, cluster } = buildReferenceScenario(K8sTesting.app(), tf, generations);
  return new TerraformPki(JSON.parse(TfTesting.synth(vault, true)), JSON.parse(TfTesting.synth(cluster.caPublicationStack!, true)), 'primary_pki_ca-certificates');
}

/** The CAs and leaves of one rotation, minted as the phases create them in Vault (a generation's certificate never changes). */
class Rehearsal {
  private readonly cas = new Map<string, Minted>();
  /** Leaves by the intermediate generation that signed them: [server, client]. */
  private readonly leaves = new Map<string, [Minted, Minted]>();

  constructor(private readonly openssl: OpenSslCa) {}

  /** Applies a phase: mints what it creates, and a server and a client leaf from the generation that signs. */
  public apply(pki: TerraformPki): void {
    for (const [id, spec] of pki.roots) if (!this.cas.has(id)) this.cas.set(id, this.openssl.root(id, spec));
    for (const [id, intermediate] of pki.intermediates) {
      if (!this.cas.has(id)) this.cas.set(id, this.openssl.intermediate(id, intermediate.spec, this.cas.get(intermediate.signer)!));
    }
    const signer = pki.signers.get(MOUNT)!;
    if (!this.leaves.has(signer)) {
      const issuer = this.cas.get(signer)!;
      this.leaves.set(signer, [
        this.openssl.leaf(`${signer}-server`, pki.leaf(MOUNT, 'payments-vault-services', [SERVER]), issuer),
        this.openssl.leaf(`${signer}-client`, pki.leaf(MOUNT, 'auth-vault-services', [CLIENT]), issuer),
      ]);
    }
  }

  /** The trust bundle of a phase: the PEMs of the root generations its roots.crt holds. */
  public trust(pki: TerraformPki, without: string[] = []): string[] {
    return pki.bundle.filter((id) => !without.includes(id)).map((id) => this.cas.get(id)!.certPem);
  }

  /** Leaves still valid at a phase: signed by a generation that signs now or signed before and is still live (not RETIRED). */
  public alive(pki: TerraformPki): [string, Minted, Minted][] {
    return [...this.leaves].filter(([signer]) => pki.intermediates.has(signer)).map(([signer, [server, client]]) => [signer, server, client]);
  }

  public ca(id: string): Minted {
    return this.cas.get(id)!;
  }

  public current(pki: TerraformPki): [Minted, Minted] {
    return this.leaves.get(pki.signers.get(MOUNT)!)!;
  }
}

/**
 * Every leaf alive at the phase, as server against a client of the generation that signs now and as client against a
 * server of it, with the phase's trust bundle: the verdicts, one line each.
 */
async function handshakes(rehearsal: Rehearsal, pki: TerraformPki, without: string[] = []): Promise<string[]> {
  const trust = rehearsal.trust(pki, without);
  const [server, client] = rehearsal.current(pki);
  const verdicts: string[] = [];
  for (const [signer, oldServer, oldClient] of rehearsal.alive(pki)) {
    for (const [what, s, c] of [['server', oldServer, client], ['client', server, oldClient]] as const) {
      const result = await mtls(s, c, trust, SERVER);
      verdicts.push(`${signer} leaf as ${what}: ${result.ok ? 'ok' : result.error}`);
    }
  }
  return verdicts;
}

describe('X.509 rehearsal of a root rollover with every intermediate (real certificates, Node TLS mTLS)', () => {
  const openssl = new OpenSslCa();
  const rehearsal = new Rehearsal(openssl);
  const phases = new Map<string, TerraformPki>();
  afterAll(() => openssl.dispose());

  test.each([
    ['reference', {}, ['pki_int_services_signed leaf as server: ok', 'pki_int_services_signed leaf as client: ok']],
    ['1-prepare', PREPARE, ['pki_int_services_signed leaf as server: ok', 'pki_int_services_signed leaf as client: ok']],
    // After the switch both generations' leaves are alive, chaining to two different roots: the bundle carries both.
    ['2-switch', SWITCH, [
      'pki_int_services_signed leaf as server: ok', 'pki_int_services_signed leaf as client: ok',
      'pki_int_services_signed_g2 leaf as server: ok', 'pki_int_services_signed_g2 leaf as client: ok',
    ]],
    ['3-retire', RETIRE, ['pki_int_services_signed_g2 leaf as server: ok', 'pki_int_services_signed_g2 leaf as client: ok']],
  ] as [string, CaGenerations, string[]][])('%s: every leaf alive handshakes against the bundle of the phase', async (name, generations, expected) => {
    const pki = plan(generations);
    phases.set(name, pki);
    rehearsal.apply(pki);
    expect(await handshakes(rehearsal, pki)).toEqual(expected);
  });

  test('the minted CAs have the parameters the Terraform asks for (read back with OpenSSL)', () => {
    const text = (m: Minted) => spawnSync('openssl', ['x509', '-noout', '-text'], { input: m.certPem, encoding: 'utf8' }).stdout.replace(/\s+/g, ' ');
    const root = text(rehearsal.ca('pki_root_certificate_g2'));
    expect(root).toContain('Subject: CN = acme-root-ca g2');
    expect(root).toContain('ASN1 OID: secp384r1');
    expect(root).toContain('CA:TRUE, pathlen:1');
    const intermediate = text(rehearsal.ca('pki_int_services_signed_g2'));
    expect(intermediate).toContain('Issuer: CN = acme-root-ca g2');
    expect(intermediate).toContain('Subject: CN = services intermediate CA g2');
    expect(intermediate).toContain('ASN1 OID: prime256v1');
    expect(intermediate).toContain('X509v3 Basic Constraints: critical CA:TRUE, pathlen:0');
    expect(intermediate).toContain('X509v3 Name Constraints: critical Permitted: DNS:services.internal');
    const validity = new X509Certificate(rehearsal.ca('pki_int_services_signed_g2').certPem);
    expect((Date.parse(validity.validTo) - Date.parse(validity.validFrom)) / 86400_000).toBe(365);
    const leaf = text(rehearsal.current(phases.get('3-retire')!)[0]);
    expect(leaf).toContain('X509v3 Key Usage: critical Digital Signature');
    expect(leaf).toContain('X509v3 Extended Key Usage: TLS Web Server Authentication, TLS Web Client Authentication');
    expect(leaf).not.toContain('Basic Constraints');
  });

  test('cutting the overlap short (root generation 1 out of the bundle at the switch) breaks the leaves still alive, and is refused at synth', async () => {
    const pki = phases.get('2-switch')!;
    const verdicts = await handshakes(rehearsal, pki, ['pki_root_certificate']);
    expect(verdicts.filter((v) => v.startsWith('pki_int_services_signed leaf'))).toEqual([
      'pki_int_services_signed leaf as server: client: unable to get local issuer certificate',
      expect.stringMatching(/^pki_int_services_signed leaf as client: server rejected the client: |client: .*(unknown ca|certificate required|socket hang up|ECONNRESET)/),
    ]);
    expect(verdicts.filter((v) => v.startsWith('pki_int_services_signed_g2'))).toEqual([
      'pki_int_services_signed_g2 leaf as server: ok', 'pki_int_services_signed_g2 leaf as client: ok',
    ]);
    // The program that would publish that bundle: root generation 1 RETIRED at the switch.
    const early: CaGenerations = {
      root: [
        { generation: 1, state: GenerationState.RETIRED, drainingSince: SWITCHED_AT },
        { generation: 2, state: GenerationState.ACTIVE, preparedSince: PREPARED_SINCE },
      ],
      intermediates: SWITCH.intermediates,
    };
    expect(errorOf(() => plan(early))).toMatch(/chains to root generation 1, which is RETIRED/);
  });

  test('a leaf outside the intermediate\'s name constraints fails, even from the generation that signs', async () => {
    const pki = phases.get('3-retire')!;
    const [, client] = rehearsal.current(pki);
    const outside = openssl.leaf('outside', pki.leaf(MOUNT, 'payments-vault-services', ['mtls.payments.ingress.external']),
      rehearsal.ca(pki.signers.get(MOUNT)!));
    const result = await mtls(outside, client, rehearsal.trust(pki), 'mtls.payments.ingress.external');
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/permitted subtree violation/) });
  });

  test('path length: a CA signed by an intermediate (path length 0), and a certificate signed by a leaf, both fail', async () => {
    const pki = phases.get('3-retire')!;
    const [server, client] = rehearsal.current(pki);
    const intermediate = rehearsal.ca(pki.signers.get(MOUNT)!);
    const subCa = openssl.leaf('sub-ca', { ...pki.leaf(MOUNT, 'payments-vault-services', []), ca: true, commonName: 'rogue sub-CA' }, intermediate);
    const underSubCa = openssl.leaf('under-sub-ca', pki.leaf(MOUNT, 'payments-vault-services', [SERVER]), subCa);
    expect(await mtls(underSubCa, client, rehearsal.trust(pki), SERVER)).toEqual({ ok: false, error: expect.stringMatching(/path length constraint exceeded/) });
    const underLeaf = openssl.leaf('under-leaf', pki.leaf(MOUNT, 'payments-vault-services', [SERVER]), server);
    expect(await mtls(underLeaf, client, rehearsal.trust(pki), SERVER)).toEqual({ ok: false, error: expect.stringMatching(/invalid CA certificate|key usage does not include certificate signing/) });
  });
});

describe('X.509 rehearsal of a compromised intermediate', () => {
  const openssl = new OpenSslCa();
  const rehearsal = new Rehearsal(openssl);
  afterAll(() => openssl.dispose());

  test('replace and revoke: the new generation signs at once under the same root, trusted by the same bundle; old leaves verify until revoked', async () => {
    const verdicts: string[][] = [];
    for (const generations of [{}, COMPROMISE_REPLACE, COMPROMISE_REVOKE]) {
      const pki = plan(generations);
      rehearsal.apply(pki);
      verdicts.push(await handshakes(rehearsal, pki));
    }
    expect(verdicts).toEqual([
      ['pki_int_services_signed leaf as server: ok', 'pki_int_services_signed leaf as client: ok'],
      // The bundle did not change: the compromised generation's leaves still verify without CRL checks (see the runbook).
      ['pki_int_services_signed leaf as server: ok', 'pki_int_services_signed leaf as client: ok',
        'pki_int_services_signed_g2 leaf as server: ok', 'pki_int_services_signed_g2 leaf as client: ok'],
      ['pki_int_services_signed_g2 leaf as server: ok', 'pki_int_services_signed_g2 leaf as client: ok'],
    ]);
  });
});
