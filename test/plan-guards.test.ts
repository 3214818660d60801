// The plan-time guards of a CA rotation, evaluated by the REAL `terraform plan` (test/terraform-plan/harness.ts): whatever
// order the phases of examples/rotation reach `terraform apply` in, a plan that would skip a phase, cut a waiting time
// short, bring a retired generation back or destroy a CA the program dropped fails before anything is applied, with a
// message that names what to apply first. A fresh install is never blocked.
import { Testing as K8sTesting } from 'cdk8s';
import { Testing as TfTesting } from 'cdktf';
import { planGuards, terraformAvailable, VaultState } from './terraform-plan/harness';
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

const ago = (hours: number) => new Date(Date.now() - hours * 3600_000).toISOString().replace(/\.\d+Z$/, 'Z');
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

(TERRAFORM ? describe : describe.skip)(`plan-time guards, evaluated by terraform ${TERRAFORM}`, () => {
  test.each(Object.keys(PROGRAMS))('a fresh install (empty Vault) of %s is never blocked', (phase) => {
    expect(planGuards(PROGRAMS[phase as keyof typeof PROGRAMS], { mounts: {}, pki: {} })).toMatchObject({ ok: true, errors: [] });
  });

  test('the phases in order, each after its wait, pass', () => {
    expect(planGuards(PROGRAMS.reference, AFTER.reference).errors).toEqual([]);
    expect(planGuards(PROGRAMS.prepare, AFTER.reference).errors).toEqual([]);
    expect(planGuards(PROGRAMS.switch, AFTER.prepare, preparedRecords(2)).errors).toEqual([]);
    expect(planGuards(PROGRAMS.retire, AFTER.switch, { ...preparedRecords(80), ...drainingRecords(73) }).errors).toEqual([]);
    expect(planGuards(PROGRAMS.replace, AFTER.reference).errors).toEqual([]);
    // No wait after a compromise: the replacement was applied, the compromised generation is revoked and deleted at once.
    expect(planGuards(PROGRAMS.revoke, AFTER.replace, { ...preparedRecords(0.1, ['services']), ...drainingRecords(0.1, ['services']) }).errors).toEqual([]);
    // A phase applied twice changes nothing the guards object to.
    expect(planGuards(PROGRAMS.switch, AFTER.switch, { ...preparedRecords(2), ...drainingRecords(0.1) }).errors).toEqual([]);
  });

  test('a skipped prepare phase (two commits batched into one run) is refused: the new generation does not exist in Vault', () => {
    const result = planGuards(PROGRAMS.switch, AFTER.reference);
    expect(result.ok).toBe(false);
    expect(result.errors).toContain("generation 2 of intermediate 'services' becomes the default issuer of pki-int-services, but Vault has no " +
      "issuer 'services-g2' yet: apply the phase that makes generation 2 PREPARED first, and this one 1h later (Vault's default issuer is 'services')");
    expect(result.errors).toHaveLength(4);
  });

  test('a switch before the trust propagation wait is over, by the real clock, is refused whatever the program says', () => {
    const result = planGuards(PROGRAMS.switch, AFTER.prepare, preparedRecords(10 / 60));
    expect(result.errors).toHaveLength(4);
    expect(result.errors[0]).toMatch(/^generation 2 of intermediate 'ingress' becomes the default issuer of pki-int-ingress, but it was prepared only at \S+Z: trust bundles need 1h to carry it to every workload; apply this phase at or after \S+Z/);
  });

  test('prepare straight to retire is refused: the old generation is still the default every role signs with', () => {
    const result = planGuards(PROGRAMS.retire, AFTER.prepare, preparedRecords(80));
    expect(result.errors).toContain("generation 1 of intermediate 'services' is RETIRED (its issuer 'services' in pki-int-services is deleted), but it is " +
      "still Vault's default issuer of pki-int-services: every role signs with it. Apply the phase that makes it DRAINING (the switch) first, and retire it 72h later");
  });

  test('a retirement before the drain period is over is refused (leaves it signed are still alive)', () => {
    const result = planGuards(PROGRAMS.retire, AFTER.switch, { ...preparedRecords(80), ...drainingRecords(1) });
    expect(result.errors).toHaveLength(4);
    expect(result.errors[0]).toMatch(/it stopped signing only at \S+Z: leaves it signed live up to 48h; keep it DRAINING until \S+Z$/);
  });

  test('the compromise revocation without the replacement (skipped phase) is refused: the compromised issuer is still the default', () => {
    const result = planGuards(PROGRAMS.revoke, AFTER.reference);
    expect(result.errors).toEqual(["generation 1 of intermediate 'services' is RETIRED (its issuer 'services' in pki-int-services is deleted), but it is " +
      "still Vault's default issuer of pki-int-services: every role signs with it. Apply the phase that makes it DRAINING (compromised, with a new ACTIVE " +
      'generation) first']);
  });

  test('a phase applied backwards after a retirement is refused: a retired generation cannot come back (its key name is taken)', () => {
    const result = planGuards(PROGRAMS.switch, AFTER.retire, { ...preparedRecords(100), ...drainingRecords(90) });
    expect(result.errors).toContain("generation 1 of intermediate 'services' is DRAINING, but Vault deleted its issuer 'services' in pki-int-services " +
      '(it was RETIRED) and keeps its key: a retired generation cannot come back; add generation 3 instead');
  });

  test('rolling a switch back (switch -> prepare) passes: the old generation never left the trust bundles', () => {
    expect(planGuards(PROGRAMS.prepare, AFTER.switch, preparedRecords(3)).errors).toEqual([]);
  });

  test('a CA dropped from the program is refused until its mount is decommissioned on purpose', () => {
    const vault = vaultWith(every((ca) => ({ issuers: [ca], default: ca })), ['pki-int-legacy']);
    expect(planGuards(PROGRAMS.reference, vault).errors).toEqual(["Vault holds mounts that stack 'vault' created and the program no longer has: " +
      'pki-int-legacy. Applying would destroy each with every key, issuer and certificate in it. Put the CA back in the program (keep its generations ' +
      "listed, RETIRED once they may go), or list the mount in the VaultPkiStack's 'decommissionedMounts' to destroy it on purpose"]);
    const decommissioning = newScope({ vault: { decommissionedMounts: ['pki-int-legacy'] } });
    newHierarchy(decommissioning);
    expect(planGuards(JSON.parse(TfTesting.synth(decommissioning.vault, true)), vault).errors).toEqual([]);
    // Mounts of another stack (another program) are not this stack's to keep.
    const foreign = { ...vault, mounts: { ...vault.mounts, 'pki-int-legacy': { description: 'a CA (cdk8s-vault-pki, stack other)' } } };
    expect(planGuards(PROGRAMS.reference, foreign).errors).toEqual([]);
  });
});

test('the plan-time guards run here (terraform on PATH), or this says why not', () => {
  if (!TERRAFORM) console.warn('SKIPPED the plan-time guard tests: no `terraform` binary on PATH (nothing here can install one)');
  expect(TERRAFORM === undefined || /^\d+\.\d+\.\d+/.test(TERRAFORM)).toBe(true);
});
