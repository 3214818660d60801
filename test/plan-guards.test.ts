// The plan-time guards of a CA rotation, evaluated by the REAL `terraform plan` (test/terraform-plan/harness.ts): whatever
// order the phases of examples/rotation reach `terraform apply` in, a plan that would skip a phase, cut a waiting time
// short, bring a retired generation back or destroy a CA the program dropped fails before anything is applied, with a
// message that names what to apply first. A fresh install is never blocked.
import { Testing as K8sTesting } from 'cdk8s';
import { Testing as TfTesting } from 'cdktf';
import { PlanCase, planGuards, planGuardsOf, planGuardsWhole, PlanResult, terraformAvailable, VaultState } from './terraform-plan/harness';
import { newHierarchy, newScope } from './util';
import { buildReferenceScenario, CaGenerations } from '../examples/reference/scenario';
import { COMPROMISE_REPLACE, COMPROMISE_REVOKE, PREPARE, RETIRE, SWITCH } from '../examples/rotation/phases';

const TERRAFORM = terraformAvailable();
const CAS = ['root', 'services', 'ingress', 'mtls'];
const mountOf = (ca: string) => (ca === 'root' ? 'pki-root' : `pki-int-${ca}`);
const prefixOf = (ca: string) => mountOf(ca).replace(/-/g, '_');

/** The Terraform of the reference scenario at one phase (the synth-time clock far in the future: only the plan decides). */
function terraformOf(generations: CaGenerations): any {
  const k8s = K8sTesting.app();
  const tf = TfTesting.app({ context: { 'cdk8s-vault-pki:now': '2030-01-01T00:00:00Z' } });
  const built = buildReferenceScenario(k8s, tf, generations);
  return JSON.parse(TfTesting.synth(built.vault, true));
}

/**
 * Vault after an apply: per CA, the issuers it holds (generation names), the default, and the keys (a retired
 * generation's key stays). Every mount carries the stack's owner marker in its description.
 */
function vaultWith(cas: Record<string, { issuers: string[]; default: string; keys?: string[] }>, extraMounts: string[] = []): VaultState {
  const marker = '(cdk8s-vault-pki, stack vault)';
  return {
    mounts: Object.fromEntries([...Object.keys(cas).map(mountOf), ...extraMounts].map((m) => [m, { description: `a CA ${marker}` }])),
    pki: Object.fromEntries(Object.entries(cas).map(([ca, s]) => [mountOf(ca), {
      defaultIssuerId: `id-${s.default}`,
      issuers: Object.fromEntries(s.issuers.map((i) => [`id-${i}`, i])),
      keys: Object.fromEntries((s.keys ?? s.issuers).map((k) => [`key-${k}`, k])),
    }])),
  };
}
const every = (f: (ca: string) => { issuers: string[]; default: string; keys?: string[] }) => Object.fromEntries(CAS.map((ca) => [ca, f(ca)]));
const g2 = (ca: string) => `${ca}-g2`;
const AFTER = {
  reference: vaultWith(every((ca) => ({ issuers: [ca], default: ca }))),
  prepare: vaultWith(every((ca) => ({ issuers: [ca, g2(ca)], default: ca }))),
  switch: vaultWith(every((ca) => ({ issuers: [ca, g2(ca)], default: g2(ca) }))),
  retire: vaultWith(every((ca) => ({ issuers: [g2(ca)], default: g2(ca), keys: [ca, g2(ca)] }))),
  replace: vaultWith({ ...every((ca) => ({ issuers: [ca], default: ca })), services: { issuers: ['services', 'services-g2'], default: 'services-g2' } }),
};

/** One clock for the file: records made the same hours ago are the same records (their plans are evaluated once). */
const NOW = Date.now();
const ago = (hours: number) => new Date(NOW - hours * 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
/** The records an apply of the prepare phase left `hours` ago (and generation 1's, from long before). */
const preparedRecords = (hours: number, cas = CAS) => Object.fromEntries(cas.flatMap((ca) => [
  [`${prefixOf(ca)}_prepared`, ago(24 * 400)], [`${prefixOf(ca)}_prepared_g2`, ago(hours)],
]));
const drainingRecords = (hours: number, cas = CAS) => Object.fromEntries(cas.map((ca) => [`${prefixOf(ca)}_draining`, ago(hours)]));

const PROGRAMS = {
  reference: terraformOf({}),
  prepare: terraformOf(PREPARE),
  switch: terraformOf(SWITCH),
  retire: terraformOf(RETIRE),
  replace: terraformOf(COMPROMISE_REPLACE),
  revoke: terraformOf(COMPROMISE_REVOKE),
};

const LEGACY = vaultWith(every((ca) => ({ issuers: [ca], default: ca })), ['pki-int-legacy']);
/** The same program with the legacy mount listed in the VaultPkiStack's decommissionedMounts. */
const DECOMMISSIONING = (() => {
  const scope = newScope({ vault: { decommissionedMounts: ['pki-int-legacy'] } });
  newHierarchy(scope);
  return JSON.parse(TfTesting.synth(scope.vault, true));
})();
const EMPTY: VaultState = { mounts: {}, pki: {} };

/** Every plan the tests below ask for: a program, what Vault holds after an earlier apply, and the records it left. */
const CASES: Record<string, PlanCase> = {
  ...Object.fromEntries(Object.entries(PROGRAMS).map(([phase, tf]) => [`fresh ${phase}`, { tf, vault: EMPTY }])),
  inOrderReference: { tf: PROGRAMS.reference, vault: AFTER.reference },
  inOrderPrepare: { tf: PROGRAMS.prepare, vault: AFTER.reference },
  inOrderSwitch: { tf: PROGRAMS.switch, vault: AFTER.prepare, records: preparedRecords(2) },
  inOrderRetire: { tf: PROGRAMS.retire, vault: AFTER.switch, records: { ...preparedRecords(80), ...drainingRecords(73) } },
  inOrderReplace: { tf: PROGRAMS.replace, vault: AFTER.reference },
  // No wait after a compromise: the replacement was applied, the compromised generation is revoked and deleted at once.
  inOrderRevoke: { tf: PROGRAMS.revoke, vault: AFTER.replace, records: { ...preparedRecords(0.1, ['services']), ...drainingRecords(0.1, ['services']) } },
  // A phase applied twice changes nothing the guards object to.
  switchTwice: { tf: PROGRAMS.switch, vault: AFTER.switch, records: { ...preparedRecords(2), ...drainingRecords(0.1) } },
  skippedPrepare: { tf: PROGRAMS.switch, vault: AFTER.reference },
  earlySwitch: { tf: PROGRAMS.switch, vault: AFTER.prepare, records: preparedRecords(10 / 60) },
  prepareToRetire: { tf: PROGRAMS.retire, vault: AFTER.prepare, records: preparedRecords(80) },
  earlyRetire: { tf: PROGRAMS.retire, vault: AFTER.switch, records: { ...preparedRecords(80), ...drainingRecords(1) } },
  revokeWithoutReplace: { tf: PROGRAMS.revoke, vault: AFTER.reference },
  backToReference: { tf: PROGRAMS.reference, vault: AFTER.retire, records: preparedRecords(100) },
  backToSwitch: { tf: PROGRAMS.switch, vault: AFTER.retire, records: { ...preparedRecords(100), ...drainingRecords(90) } },
  rollBack: { tf: PROGRAMS.prepare, vault: AFTER.switch, records: preparedRecords(3) },
  droppedCa: { tf: PROGRAMS.reference, vault: LEGACY },
  decommissioned: { tf: DECOMMISSIONING, vault: LEGACY },
  // Mounts of another stack (another program) are not this stack's to keep.
  foreignMount: { tf: PROGRAMS.reference, vault: { ...LEGACY, mounts: { ...LEGACY.mounts, 'pki-int-legacy': { description: 'a CA (cdk8s-vault-pki, stack other)' } } } },
};

/** What `terraform plan` decided for a case (every case is planned in one terraform run before the tests). */
let DECIDED: Record<string, PlanResult> = {};
function planOf(name: string): PlanResult {
  if (!DECIDED[name]) throw new Error(`no case '${name}' in CASES`);
  return DECIDED[name];
}

(TERRAFORM ? describe : describe.skip)(`plan-time guards, evaluated by terraform ${TERRAFORM}`, () => {
  beforeAll(() => {
    const names = Object.keys(CASES);
    const results = planGuardsOf(names.map((n) => CASES[n]), { reuse: false });
    DECIDED = Object.fromEntries(names.map((n, i) => [n, results[i]]));
  });

  test('cases planned together (one terraform run, each closure once) decide as each case\'s own plan of its whole configuration', () => {
    // Four guards fail with one precondition each, the same four by the clock, two preconditions of every guard, the
    // mount inventory (which no guard reads), a plan that passes after its waits, a fresh install.
    const names = ['skippedPrepare', 'earlySwitch', 'prepareToRetire', 'backToReference', 'backToSwitch', 'droppedCa', 'inOrderRetire', 'fresh replace'];
    const alone = names.map((n) => planGuardsWhole(CASES[n].tf, CASES[n].vault, CASES[n].records));
    expect(names.map((n) => [n, planOf(n).ok, planOf(n).errors])).toEqual(names.map((n, i) => [n, alone[i].ok, alone[i].errors]));
    expect(alone.map((r) => r.errors.length)).toEqual([4, 4, 4, 8, 4, 1, 0, 0]);
    // A case planned on its own afterwards is answered from what the shared run reported.
    expect(planGuards(CASES.earlySwitch.tf, CASES.earlySwitch.vault, CASES.earlySwitch.records)).toEqual(planOf('earlySwitch'));
  });

  test.each(Object.keys(PROGRAMS))('a fresh install (empty Vault) of %s is never blocked', (phase) => {
    expect(planOf(`fresh ${phase}`)).toMatchObject({ ok: true, errors: [] });
  });

  test('the phases in order, each after its wait, pass', () => {
    for (const name of ['inOrderReference', 'inOrderPrepare', 'inOrderSwitch', 'inOrderRetire', 'inOrderReplace', 'inOrderRevoke', 'switchTwice']) {
      expect([name, planOf(name).errors]).toEqual([name, []]);
    }
  });

  test('a skipped prepare phase (two commits batched into one run) is refused: the new generation does not exist in Vault', () => {
    const result = planOf('skippedPrepare');
    expect(result.ok).toBe(false);
    expect(result.errors).toContain("generation 2 of intermediate 'services' becomes the default issuer of pki-int-services, but Vault has no " +
      "issuer 'services-g2' yet: apply the phase that makes generation 2 PREPARED first, and this one 1h later (Vault's default issuer is 'services')");
    expect(result.errors).toHaveLength(4);
  });

  test('a switch before the trust propagation wait is over, by the real clock, is refused whatever the program says', () => {
    const result = planOf('earlySwitch');
    expect(result.errors).toHaveLength(4);
    expect(result.errors[0]).toMatch(/^generation 2 of intermediate 'ingress' becomes the default issuer of pki-int-ingress, but it was prepared only at \S+Z: trust bundles need 1h to carry it to every workload; apply this phase at or after \S+Z/);
  });

  test('prepare straight to retire is refused: the old generation is still the default every role signs with', () => {
    expect(planOf('prepareToRetire').errors).toContain("generation 1 of intermediate 'services' is RETIRED (its issuer 'services' in pki-int-services is deleted), but it is " +
      "still Vault's default issuer of pki-int-services: every role signs with it. Apply the phase that makes it DRAINING (the switch) first, and retire it 72h later");
  });

  test('a retirement before the drain period is over is refused (leaves it signed are still alive)', () => {
    const result = planOf('earlyRetire');
    expect(result.errors).toHaveLength(4);
    expect(result.errors[0]).toMatch(/it stopped signing only at \S+Z: leaves it signed live up to 48h; keep it DRAINING until \S+Z$/);
  });

  test('the compromise revocation without the replacement (skipped phase) is refused: the compromised issuer is still the default', () => {
    expect(planOf('revokeWithoutReplace').errors).toEqual(["generation 1 of intermediate 'services' is RETIRED (its issuer 'services' in pki-int-services is deleted), but it is " +
      "still Vault's default issuer of pki-int-services: every role signs with it. Apply the phase that makes it DRAINING (compromised, with a new ACTIVE " +
      'generation) first']);
  });

  test('a phase applied backwards after a retirement is refused: a retired generation cannot come back (its key name is taken)', () => {
    expect(planOf('backToSwitch').errors).toContain("generation 1 of intermediate 'services' is DRAINING, but Vault deleted its issuer 'services' in pki-int-services " +
      '(it was RETIRED) and keeps its key: a retired generation cannot come back; add generation 3 instead');
  });

  test('rolling a switch back (switch -> prepare) passes: the old generation never left the trust bundles', () => {
    expect(planOf('rollBack').errors).toEqual([]);
  });

  test('a CA dropped from the program is refused until its mount is decommissioned on purpose', () => {
    expect(planOf('droppedCa').errors).toEqual(["Vault holds mounts that stack 'vault' created and the program no longer has: " +
      'pki-int-legacy. Applying would destroy each with every key, issuer and certificate in it. Put the CA back in the program (keep its generations ' +
      "listed, RETIRED once they may go), or list the mount in the VaultPkiStack's 'decommissionedMounts' to destroy it on purpose"]);
    expect(planOf('decommissioned').errors).toEqual([]);
    expect(planOf('foreignMount').errors).toEqual([]);
  });
});
