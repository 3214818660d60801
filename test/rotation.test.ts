// CA lifecycle: the phases of examples/rotation, what each emits, that each applies on top of the one before without
// replacing anything alive, and every unsafe edit refused at synth with an error that names the fix.
import * as fs from 'fs';
import * as path from 'path';
import { Testing as K8sTesting } from 'cdk8s';
import { Testing as TfTesting } from 'cdktf';
import * as fc from 'fast-check';
import { errorOf, newScope, objects } from './util';
import { buildReferenceScenario, CaGenerations } from '../examples/reference/scenario';
import { COMPROMISE_REPLACE, COMPROMISE_REVOKE, PREPARE, PREPARED_SINCE, RETIRE, SWITCH, SWITCHED_AT } from '../examples/rotation/phases';
import { ProviderSchema } from '../scripts/terraform-schema';
import { CaGenerationOptions, ConsistencyCheck, GenerationState, PkiHierarchy } from '../src';
import { PkiValidationError } from '../src/core/errors';

const NOW = '2026-11-24T12:00:00Z';
const VAULT_SCHEMA: ProviderSchema = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'upstream', 'tf-providers', 'vault-5.6.0.schema.json'), 'utf8'));

/** The reference scenario at one phase, with the rotation clock fixed at `now`. */
function synth(generations: CaGenerations, now = NOW) {
  const k8s = K8sTesting.app();
  const tf = TfTesting.app({ context: { 'cdk8s-vault-pki:now': now } });
  const built = buildReferenceScenario(k8s, tf, generations);
  const manifests = K8sTesting.synth(built.chart);
  const terraform = JSON.parse(TfTesting.synth(built.vault, true));
  // The cluster's CA publication: its own stack, reading each live generation's issuer from Vault by name.
  const publication = JSON.parse(TfTesting.synth(built.cluster.caPublicationStack!, true));
  return { manifests, terraform, publication, built };
}

const PHASES: [string, CaGenerations][] = [
  ['reference', {}], ['1-prepare', PREPARE], ['2-switch', SWITCH], ['3-retire', RETIRE],
];
const COMPROMISE: [string, CaGenerations][] = [['reference', {}], ['compromise/1-replace', COMPROMISE_REPLACE], ['compromise/2-revoke', COMPROMISE_REVOKE]];

const byId = (terraform: any, type: string, id: string) => terraform.resource?.[type]?.[id];
const epoch = (iso: string) => Date.parse(iso) / 1000;

describe('rotation phases (examples/rotation)', () => {
  const outputs = new Map([...PHASES, ...COMPROMISE].map(([name, g]) => [name, synth(g)]));

  test.each([...outputs.keys()])('%s: the consistency check finds nothing', (name) => {
    const { manifests, terraform, publication } = outputs.get(name)!;
    expect(ConsistencyCheck.check(manifests, [terraform, publication], { cluster: 'primary' })).toEqual([]);
  });

  test('escape hatches on generation resources are ConsistencyCheck findings: a default issuer that is not ACTIVE, a weakened signature, a changed guard', () => {
    const { manifests, terraform, publication } = outputs.get('1-prepare')!;
    const kinds = (tf: any) => ConsistencyCheck.check(manifests, [tf, publication], { cluster: 'primary' }).map((f) => `${f.kind} ${f.object}: ${f.message}`);
    const edited = (edit: (tf: any) => void) => {
      const copy = JSON.parse(JSON.stringify(terraform));
      edit(copy);
      return kinds(copy);
    };
    // addOverride('default', <the PREPARED generation's issuer>): roles would sign with a generation not yet in every bundle.
    expect(edited((tf) => {
      tf.resource.vault_pki_secret_backend_config_issuers['pki_int_services_default-issuer'].default = '${vault_pki_secret_backend_issuer.pki_int_services_issuer_g2.issuer_id}';
    })).toEqual(["rotation-default-issuer VaultMount pki-int-services: its default issuer is 'services-g2' (PREPARED), not the ACTIVE generation " +
      "'services': every role of the mount would sign with it; remove the override (make a generation ACTIVE in the program instead)"]);
    // The new generation's signature without path length and name constraints.
    expect(edited((tf) => {
      const signed = tf.resource.vault_pki_secret_backend_root_sign_intermediate.pki_int_services_signed_g2;
      delete signed.max_path_length;
      delete signed.permitted_dns_domains;
    })).toEqual([
      'rotation-signature VaultSignature pki-int-services/services intermediate CA g2: max_path_length is unset (-1: any depth), not 0: the ' +
      'intermediate could sign CAs; set it to 0',
      'rotation-signature VaultSignature pki-int-services/services intermediate CA g2: permitted_dns_domains (none) are not the intermediate\'s ' +
      'domains (services.internal): its name constraints would let it sign names outside them; restore them',
    ]);
    // A guard whose switch check was dropped, a record removed, a guard removed.
    expect(edited((tf) => {
      tf.resource.terraform_data.pki_int_services_rotation_guard.lifecycle.precondition.pop();
      delete tf.resource.terraform_data.pki_int_mtls_prepared_g2;
      delete tf.resource.terraform_data.pki_root_rotation_guard;
    }).map((f) => f.slice(0, 150)).sort()).toEqual([
      'rotation-guard VaultMount pki-int-mtls: generation 2 has no record terraform_data.pki_int_mtls_prepared_g2: its guard would compare the real clock wit',
      'rotation-guard VaultMount pki-int-services: its rotation guard has 4 precondition(s) where its generations call for 5; missing or changed: \'generation',
      'rotation-guard VaultMount pki-root: has no rotation guard (terraform_data.<ca>_rotation_guard): terraform plan would not refuse a skipped rotation pha',
    ]);
  });

  test('the trust bundle is the same object in every phase: Terraform changes what roots.crt holds, trust-manager follows', () => {
    const bundles = [...outputs.values()].map(({ manifests }) => JSON.stringify(objects(manifests, 'Bundle')));
    expect(new Set(bundles).size).toBe(1);
    expect(JSON.parse(bundles[0])[0].spec.sources).toEqual([{ configMap: { name: 'pki-ca-certificates', key: 'roots.crt' } }]);
  });

  test('the CA ConfigMap carries every live root generation through the overlap, and only those', () => {
    const roots = (phase: string) => outputs.get(phase)!.publication.resource.kubernetes_config_map_v1['primary_pki_ca-certificates'].data['roots.crt'];
    const issuers = (phase: string) => outputs.get(phase)!.publication.data.vault_pki_secret_backend_issuer;
    const cert = (id: string) => `data.vault_pki_secret_backend_issuer.${id}.certificate`;
    expect(roots('reference')).toBe(`\${join("\\n", [${cert('pki-root_root')}])}`);
    expect(roots('1-prepare')).toBe(`\${join("\\n", [${cert('pki-root_root')}, ${cert('pki-root_root-g2')}])}`);
    expect(issuers('1-prepare')['pki-root_root-g2']).toEqual({ backend: 'pki-root', issuer_ref: 'root-g2' });
    expect(roots('2-switch')).toBe(roots('1-prepare'));
    expect(roots('3-retire')).toBe(`\${join("\\n", [${cert('pki-root_root-g2')}])}`);
    expect(issuers('3-retire')['pki-root_root']).toBeUndefined();
    // The issuer names read are the ones the Vault stack gives each root generation.
    expect(byId(outputs.get('1-prepare')!.terraform, 'vault_pki_secret_backend_root_cert', 'pki_root_certificate_g2').issuer_name).toBe('root-g2');
  });

  test('prepare: generation 2 exists (own key, root signature by root generation 2, named issuer that may issue), the default stays on 1', () => {
    const { terraform } = outputs.get('1-prepare')!;
    const csr = byId(terraform, 'vault_pki_secret_backend_intermediate_cert_request', 'pki_int_services_csr_g2');
    expect(csr).toMatchObject({ key_name: 'services-g2', common_name: 'services intermediate CA g2', type: 'internal', lifecycle: { prevent_destroy: true } });
    const signed = byId(terraform, 'vault_pki_secret_backend_root_sign_intermediate', 'pki_int_services_signed_g2');
    expect(signed).toMatchObject({
      issuer_ref: '${vault_pki_secret_backend_issuer.pki_root_issuer_g2.issuer_id}',
      max_path_length: 0,
      permitted_dns_domains: ['services.internal'],
    });
    expect(byId(terraform, 'vault_pki_secret_backend_root_cert', 'pki_root_certificate_g2'))
      .toMatchObject({ key_name: 'root-g2', issuer_name: 'root-g2', common_name: 'acme-root-ca g2' });
    expect(byId(terraform, 'vault_pki_secret_backend_issuer', 'pki_int_services_issuer_g2')).toMatchObject({
      issuer_name: 'services-g2',
      usage: 'crl-signing,issuing-certificates,ocsp-signing,read-only',
      issuing_certificates: ['https://vault.internal:8200/v1/pki-int-services/issuer/services-g2/der'],
      crl_distribution_points: ['https://vault.internal:8200/v1/pki-int-services/issuer/services-g2/crl/der'],
    });
    expect(byId(terraform, 'vault_pki_secret_backend_config_issuers', 'pki_int_services_default-issuer'))
      .toEqual({
        backend: '${vault_mount.pki_int_services_mount.path}',
        default: '${vault_pki_secret_backend_issuer.pki_int_services_issuer.issuer_id}',
        default_follows_latest_issuer: false,
      });
  });

  test('switch: the default issuer moves to generation 2; generation 1 loses issuing-certificates only after it (depends_on)', () => {
    const { terraform } = outputs.get('2-switch')!;
    for (const [mount, g1] of [['pki_int_services', 'pki_int_services_issuer'], ['pki_root', 'pki_root_issuer']]) {
      expect(byId(terraform, 'vault_pki_secret_backend_config_issuers', `${mount}_default-issuer`).default)
        .toBe(`\${vault_pki_secret_backend_issuer.${g1}_g2.issuer_id}`);
      expect(byId(terraform, 'vault_pki_secret_backend_issuer', g1)).toMatchObject({
        usage: 'crl-signing,ocsp-signing,read-only',
        depends_on: [`vault_pki_secret_backend_config_issuers.${mount}_default-issuer`],
      });
    }
    // Every tenant role signs with `default`: nothing about them changes through a rotation.
    const roles = (phase: string) => JSON.stringify(outputs.get(phase)!.terraform.resource.vault_pki_secret_backend_role);
    expect(roles('2-switch')).toBe(roles('reference'));
  });

  test('retire: generation 1 leaves the program (its issuer is deleted by the provider), its numbers stay reserved', () => {
    const { terraform } = outputs.get('3-retire')!;
    const vaultIds = Object.entries<any>(terraform.resource).filter(([type]) => type.startsWith('vault_')).flatMap(([, r]) => Object.keys(r));
    expect(vaultIds.filter((id) => /^pki_(root|int_[a-z]+)_(certificate|csr|signed|set-signed|issuer)$/.test(id))).toEqual([]);
    expect(vaultIds.filter((id) => /_g2$/.test(id)).length).toBe(1 + 1 + 3 * 4); // root cert + issuer, 3 x (csr, signed, set-signed, issuer)
    // The plan-time records of the rotation stay (when each generation was prepared, when generation 1 started draining).
    expect(Object.keys(terraform.resource.terraform_data).filter((id) => /_(prepared|draining)(_g2)?$/.test(id)).sort()).toEqual(
      ['pki_root', 'pki_int_services', 'pki_int_ingress', 'pki_int_mtls'].flatMap((ca) => [`${ca}_draining`, `${ca}_prepared`, `${ca}_prepared_g2`]).sort());
  });

  test('compromise: the new generation signs in one apply; the compromised one is marked for revocation, then revoked by its removal', () => {
    const replace = outputs.get('compromise/1-replace')!.terraform;
    expect(byId(replace, 'vault_pki_secret_backend_root_sign_intermediate', 'pki_int_services_signed')).toMatchObject({ revoke: true });
    expect(byId(replace, 'vault_pki_secret_backend_config_issuers', 'pki_int_services_default-issuer').default)
      .toBe('${vault_pki_secret_backend_issuer.pki_int_services_issuer_g2.issuer_id}');
    expect(byId(replace, 'vault_pki_secret_backend_issuer', 'pki_int_services_issuer').usage).toBe('crl-signing,ocsp-signing,read-only');
    // The revocation is an explicit write in the same apply (the provider's revoke-on-delete alone depends on the order
    // phases are applied in): Vault's `<root mount>/revoke` with the serial of the compromised signature.
    expect(byId(replace, 'vault_generic_endpoint', 'pki_int_services_revoke')).toMatchObject({
      path: 'pki-root/revoke',
      data_json: '${jsonencode({"serial_number" = vault_pki_secret_backend_root_sign_intermediate.pki_int_services_signed.serial_number})}',
      disable_read: true,
      disable_delete: true,
    });
    // It stops issuing in that apply whatever else happens (no depends_on the default issuer's move).
    expect(byId(replace, 'vault_pki_secret_backend_issuer', 'pki_int_services_issuer').depends_on).toBeUndefined();
    const revoke = outputs.get('compromise/2-revoke')!.terraform;
    expect(byId(revoke, 'vault_pki_secret_backend_root_sign_intermediate', 'pki_int_services_signed')).toBeUndefined();
  });

  /**
   * Each phase applies on top of the one before: every resource both have keeps its ForceNew attributes (read from the
   * provider 5.6.0 schema), so Terraform replaces nothing; a resource leaves only with a RETIRED generation.
   */
  test.each([
    ...PHASES.slice(1).map((p, i) => [PHASES[i][0], p[0]]),
    ...COMPROMISE.slice(1).map((p, i) => [COMPROMISE[i][0], p[0]]),
  ])('%s -> %s replaces nothing, and removes only retired generations', (from, to) => {
    const before = outputs.get(from)!.terraform.resource;
    const after = outputs.get(to)!.terraform.resource;
    for (const [type, instances] of Object.entries<any>(before)) {
      const schema = VAULT_SCHEMA.resources[type];
      for (const [id, body] of Object.entries<any>(instances)) {
        const next = after[type]?.[id];
        if (next === undefined) {
          // A revocation's write (disable_delete) leaves Terraform's state only: the certificate stays revoked.
          const gone = type === 'vault_generic_endpoint' ? body.disable_delete === true
            : /^pki_(root|int_services|int_ingress|int_mtls)_(certificate|csr|signed|set-signed|issuer)$/.test(id);
          expect([type, id, gone]).toEqual([type, id, true]);
          continue;
        }
        if (!schema) continue;
        for (const [attribute, spec] of Object.entries(schema.attributes)) {
          if (spec.forceNew) expect([type, id, attribute, next[attribute]]).toEqual([type, id, attribute, body[attribute]]);
        }
      }
    }
  });
});

describe('CA alerts follow the generations', () => {
  const rulesOf = (generations: CaGenerations) => {
    const { manifests } = synth(generations);
    return objects(manifests, 'PrometheusRule', 'pki-pki-alerts')[0].spec.groups.flatMap((g: any) => g.rules);
  };

  test('after the switch: expiry alerts for the generations that sign, and an alert per draining generation that still signs', () => {
    const rules = rulesOf(SWITCH);
    const expiring = rules.filter((r: any) => r.alert === 'VaultPkiCaExpiring' && r.labels.severity === 'warning');
    expect(expiring.map((r: any) => `${r.labels.ca} g${r.labels.generation}`)).toEqual(['root g2', 'services g2', 'ingress g2', 'mtls g2']);
    const stillSigning = rules.filter((r: any) => r.alert === 'VaultPkiRetiredGenerationSigns');
    const since = epoch(SWITCHED_AT);
    const leaves = (metric: string, ca: string, after: number) =>
      `max by (secret_namespace, secret_name) (${metric}{secret_key="tls.crt", issuer_CN="${ca} intermediate CA"} > ${after})`;
    // Issued after the switch: notBefore after it (plus 5m of skew), or notAfter beyond the longest leaf lifetime (48h) after it.
    expect(stillSigning.map((r: any) => [r.labels.ca, r.labels.generation, r.expr])).toEqual(['services', 'ingress', 'mtls'].map((ca) => [ca, '1',
      `${leaves('x509_cert_not_before', ca, since + 300)} or ${leaves('x509_cert_not_after', ca, since + 48 * 3600 + 300)}`]));
    const signing = rules.filter((r: any) => r.alert === 'VaultPkiSigningCaExpiring' && r.labels.severity === 'warning');
    expect(signing.map((r: any) => `${r.labels.ca} g${r.labels.generation}`))
      .toEqual(['services g1', 'services g2', 'ingress g1', 'ingress g2', 'mtls g1', 'mtls g2']);
  });

  test('prepare: a PREPARED generation is watched for expiry before it signs', () => {
    const rules = rulesOf(PREPARE);
    expect(rules.filter((r: any) => r.alert === 'VaultPkiCaExpiryUnmonitored').map((r: any) => `${r.labels.ca} g${r.labels.generation}`))
      .toEqual(['root g1', 'root g2', 'services g1', 'services g2', 'ingress g1', 'ingress g2', 'mtls g1', 'mtls g2']);
    expect(rules.filter((r: any) => r.alert === 'VaultPkiRetiredGenerationSigns')).toEqual([]);
  });
});

describe('unsafe edits are refused at synth, naming the fix', () => {
  const services = (generations: CaGenerationOptions[]): CaGenerations => ({ intermediates: { services: generations } });
  const refused = (generations: CaGenerations, now = NOW) => errorOf(() => synth(generations, now));
  const g = GenerationState;

  test('switching before the new generation exists (never PREPARED)', () => {
    expect(refused(services([{ generation: 1, state: g.DRAINING, drainingSince: SWITCHED_AT }, { generation: 2, state: g.ACTIVE }])))
      .toMatch(/generation 2 of intermediate 'services' becomes ACTIVE before it was prepared: apply it as PREPARED first .* record that time in 'preparedSince'/);
  });

  test('switching before the trust propagation wait is over', () => {
    expect(refused(services([
      { generation: 1, state: g.DRAINING, drainingSince: '2026-11-24T11:50:00Z' },
      { generation: 2, state: g.ACTIVE, preparedSince: '2026-11-24T11:30:00Z' },
    ]))).toMatch(/becomes ACTIVE 30m after it was prepared; trust bundles need 1h to reach every workload: switch at or after 2026-11-24T12:30:00Z/);
  });

  test('retiring before the leaves it signed expired', () => {
    expect(refused(services([
      { generation: 1, state: g.RETIRED, drainingSince: '2026-11-23T12:00:00Z' },
      { generation: 2, state: g.ACTIVE, preparedSince: PREPARED_SINCE },
    ]))).toMatch(/generation 1 of intermediate 'services' cannot be RETIRED before 2026-11-26T12:00:00Z \(72h after it stopped signing .*: keep it DRAINING/);
  });

  test('dropping a generation from the program (its issuer would be deleted while it signs)', () => {
    expect(refused(services([{ generation: 2, state: g.ACTIVE, preparedSince: PREPARED_SINCE }])))
      .toMatch(/generation 1 of intermediate 'services' is missing; keep every generation listed \(RETIRED once it may go\)/);
  });

  test('dropping the old root from the bundle while intermediates still chain to it', () => {
    const error = refused({
      root: [{ generation: 1, state: g.RETIRED, drainingSince: SWITCHED_AT }, { generation: 2, state: g.ACTIVE, preparedSince: PREPARED_SINCE }],
      intermediates: { services: SWITCH.intermediates!.services },
    });
    // ingress and mtls were never moved to root generation 2; services generation 1 is still DRAINING under root generation 1.
    expect(error).toMatch(/generation 1 of intermediate 'services' \(DRAINING\) chains to root generation 1, which is RETIRED: .*Keep root generation 1 DRAINING until every intermediate generation it signed is RETIRED/);
    expect(error).toMatch(/generation 1 of intermediate 'ingress' \(ACTIVE\) chains to root generation 1, which is RETIRED/);
  });

  test('an intermediate that signs under a root generation that is draining, or not yet trusted everywhere', () => {
    expect(refused({
      root: SWITCH.root,
      intermediates: { services: [{ generation: 1, state: g.ACTIVE }] },
    })).toMatch(/generation 1 of intermediate 'services' \(ACTIVE\) chains to root generation 1, which is DRAINING .*sign a new intermediate generation with the ACTIVE root generation instead \('rootGeneration'\)/);
    expect(refused({
      root: [{ generation: 1, state: g.ACTIVE }, { generation: 2, state: g.PREPARED, preparedSince: '2026-11-24T11:40:00Z' }],
      intermediates: {
        services: [
          { generation: 1, state: g.DRAINING, drainingSince: '2026-11-24T11:50:00Z' },
          { generation: 2, state: g.ACTIVE, preparedSince: PREPARED_SINCE, rootGeneration: 2 },
        ],
      },
    })).toMatch(/generation 2 of intermediate 'services' \(ACTIVE\) chains to root generation 2, which is PREPARED but not yet in every trust bundle/);
  });

  test('a compromised generation that still signs, two ACTIVE generations, bad or future timestamps, unknown root generation', () => {
    expect(refused(services([{ generation: 1, state: g.ACTIVE, compromised: true }])))
      .toMatch(/generation 1 of intermediate 'services' is compromised but ACTIVE: a compromised key must not sign; make it DRAINING/);
    expect(refused(services([{ generation: 1, state: g.ACTIVE }, { generation: 2, state: g.ACTIVE, preparedSince: PREPARED_SINCE }])))
      .toMatch(/intermediate 'services' has 2 ACTIVE generations \(1, 2\); exactly one generation signs: make one ACTIVE/);
    expect(refused(services([{ generation: 1, state: g.DRAINING, drainingSince: 'yesterday' }, { generation: 2, state: g.ACTIVE, preparedSince: PREPARED_SINCE }])))
      .toMatch(/'drainingSince' \(yesterday\) is not an ISO 8601 timestamp with a zone/);
    expect(refused(services([{ generation: 1, state: g.ACTIVE }, { generation: 2, state: g.PREPARED, preparedSince: '2027-01-01T00:00:00Z' }])))
      .toMatch(/'preparedSince' \(2027-01-01T00:00:00Z\) is in the future/);
    expect(refused(services([{ generation: 1, state: g.ACTIVE, rootGeneration: 3 }])))
      .toMatch(/names root generation 3 in 'rootGeneration', which 'root.generations' does not list; name one of 1/);
  });

  test('timestamps are parsed strictly: a date that does not exist is an error, not the next day', () => {
    for (const typo of ['2026-02-30T09:00:00Z', '2026-04-31T09:00:00Z', '2026-11-02T24:00:00Z', '2025-02-29T00:00:00Z', '2026-11-02T09:00:00+15:00']) {
      expect(refused(services([{ generation: 1, state: g.ACTIVE }, { generation: 2, state: g.PREPARED, preparedSince: typo }])))
        .toContain(`'preparedSince' (${typo}) is not an ISO 8601 timestamp with a zone`);
    }
    // A leap day that exists is a timestamp.
    expect(() => synth(services([{ generation: 1, state: g.ACTIVE }, { generation: 2, state: g.PREPARED, preparedSince: '2024-02-29T09:00:00Z' }]))).not.toThrow();
  });

  test('derived names are unique across CAs: an intermediate named like a generation, two mounts that meet', () => {
    const k8s = K8sTesting.app();
    const tf = TfTesting.app({ context: { 'cdk8s-vault-pki:now': NOW } });
    const { vault } = buildReferenceScenario(k8s, tf);
    expect(errorOf(() => new PkiHierarchy(vault, 'other', {
      name: 'other', root: { commonName: 'other root' }, intermediates: [{ name: 'services-g2', domains: ['other.internal'] }],
    }))).toContain("'intermediates[0].name' (services-g2) ends like a generation suffix: generation 2 of intermediate 'services' is named " +
      "'services-g2' (its Vault key and issuer, and its published certificate 'intermediate-services-g2.crt'); choose a name that does not end in '-g<number>'");
    // Hierarchy 'pki' with an intermediate 'root' and hierarchy 'pki-int' would both mount a CA at 'pki-int-root'.
    const other = newScope().vault;
    new PkiHierarchy(other, 'int', { name: 'pki-int', root: { commonName: 'int root' }, intermediates: [{ name: 'x', domains: ['x.internal'] }] });
    expect(errorOf(() => new PkiHierarchy(other, 'clash', {
      name: 'pki', root: { commonName: 'clash root' }, intermediates: [{ name: 'root', domains: ['clash.internal'] }],
    }))).toBe("PkiHierarchy 'vault/clash': its CA mount 'pki-int-root' is already the mount of a CA of 'vault/int' in the same Vault; rename the " +
      'hierarchy or the intermediate so that every CA has a mount of its own');
  });

  test('the same program is accepted once the wait is over: the clock only decides, it never changes the output', () => {
    const early = services([
      { generation: 1, state: g.DRAINING, drainingSince: '2026-11-24T12:40:00Z' },
      { generation: 2, state: g.ACTIVE, preparedSince: '2026-11-24T11:30:00Z' },
    ]);
    expect(refused(early, '2026-11-24T12:29:00Z')).toMatch(/switch at or after 2026-11-24T12:30:00Z/);
    const a = synth(early, '2026-11-24T12:40:00Z');
    const b = synth(early, '2027-06-01T00:00:00Z');
    expect(JSON.stringify(b.terraform)).toBe(JSON.stringify(a.terraform));
  });

  /**
   * Random generation lists for the services intermediate (states, timestamps around now, compromise flags): either the
   * library refuses them with its own error, or the output has exactly one default issuer, on a generation that may
   * issue, and no live generation without its issuer.
   */
  test('property: any accepted generation list signs with exactly one generation that may issue (300 random lists)', () => {
    const hour = 3600_000;
    const now = Date.parse(NOW);
    const stamp = fc.option(fc.integer({ min: -200, max: 2 }).map((h) => new Date(now + h * hour).toISOString()), { nil: undefined });
    const generation = fc.record({
      state: fc.constantFrom(g.PREPARED, g.ACTIVE, g.DRAINING, g.RETIRED),
      preparedSince: stamp,
      drainingSince: stamp,
      compromised: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
    });
    let accepted = 0;
    fc.assert(fc.property(fc.array(generation, { minLength: 1, maxLength: 4 }), (list) => {
      const generations = list.map((x, i) => ({ generation: i + 1, ...x }));
      let out;
      try {
        out = synth(services(generations));
      } catch (e) {
        expect(e).toBeInstanceOf(PkiValidationError);
        return;
      }
      accepted++;
      const tf = out.terraform.resource;
      const active = generations.filter((x) => x.state === g.ACTIVE);
      expect(active).toHaveLength(1);
      expect(active[0].compromised).toBe(false);
      const suffix = (n: number) => (n === 1 ? '' : `_g${n}`);
      expect(tf.vault_pki_secret_backend_config_issuers['pki_int_services_default-issuer'].default)
        .toBe(`\${vault_pki_secret_backend_issuer.pki_int_services_issuer${suffix(active[0].generation)}.issuer_id}`);
      for (const x of generations) {
        const issuer = tf.vault_pki_secret_backend_issuer[`pki_int_services_issuer${suffix(x.generation)}`];
        expect(issuer === undefined).toBe(x.state === g.RETIRED);
        if (issuer && x.state === g.DRAINING) expect(issuer.usage).toBe('crl-signing,ocsp-signing,read-only');
      }
    }), { numRuns: 300 });
    // Not a vacuous property: a good share of random lists is accepted.
    expect(accepted).toBeGreaterThan(30);
  });
});
