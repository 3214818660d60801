import * as path from 'path';
import { App } from 'cdk8s';
import { App as TerraformApp, Testing as TfTesting } from 'cdktf';
import { buildReferenceScenario } from '../examples/reference/scenario';
import { goShortDuration, ProviderSchema, TerraformSchemaChecker } from '../scripts/terraform-schema';
import { loadSchemas } from '../scripts/validate-terraform';

const SCHEMAS = loadSchemas(path.join(__dirname, '..', 'upstream', 'tf-providers'));
const checker = new TerraformSchemaChecker(SCHEMAS);

/** A provider schema with the shapes the real ones use, to pin the checker's semantics. */
const mini: ProviderSchema = {
  meta: { provider: 'registry.terraform.io/hashicorp/demo', version: '1.0.0' },
  validatorKinds: { duration: { jsRegex: SCHEMAS[1].validatorKinds.duration.jsRegex } },
  provider: { attributes: { address: { type: 'string', required: false, optional: true, computed: false } } },
  dataSources: {},
  resources: {
    demo_role: {
      attributes: {
        name: { type: 'string', required: true, optional: false, computed: false },
        id_out: { type: 'string', required: false, optional: false, computed: true },
        ttl: { type: 'string', required: false, optional: true, computed: true, readForm: { vaultReturns: 'integer seconds', stateForm: "seconds as string, e.g. '86400'" } },
        backdate: {
          type: 'string',
          required: false,
          optional: true,
          computed: true,
          validators: [{ kind: 'duration' }],
          readForm: { stateForm: 'flattenVaultDuration -> util.ShortDur' },
        },
        token_ttl: { type: 'int', required: false, optional: true, computed: false, readForm: { stateForm: 'int seconds (TypeInt)' } },
        mode: { type: 'string', required: false, optional: true, computed: false, validators: [{ kind: 'stringInSlice', values: ['a', 'b'] }], conflictsWith: ['other'] },
        other: { type: 'string', required: false, optional: true, computed: false },
        flag: { type: 'bool', required: false, optional: true, computed: false },
        tags: { type: 'set', required: false, optional: true, computed: false, elem: { type: 'string' } },
        one: { type: 'bool', required: false, optional: true, computed: false, atLeastOneOf: ['one', 'two'] },
        two: { type: 'bool', required: false, optional: true, computed: false, atLeastOneOf: ['one', 'two'] },
        tune: {
          type: 'list',
          required: false,
          optional: true,
          computed: false,
          maxItems: 1,
          block: { attributes: { size: { type: 'int', required: true, optional: false, computed: false } } },
        },
      },
    },
  },
};

function findings(resource: Record<string, unknown>, extra: Record<string, unknown> = {}): string[] {
  const config = { resource: { demo_role: { r: { name: 'n', one: true, ...resource } } }, ...extra };
  return new TerraformSchemaChecker([mini]).check(config).map((f) => `${f.path}: ${f.problem}`);
}

describe('offline provider schema check (validate:terraform)', () => {
  test('a valid resource has no findings; interpolations are unknown and skip value checks', () => {
    expect(findings({ ttl: '86400', backdate: '30s', token_ttl: 300, mode: '${var.mode}', tune: [{ size: 1 }], tags: ['a', 'b'] })).toEqual([]);
  });

  test('unknown, missing, read-only attributes', () => {
    expect(findings({ nmae: 'x', name: undefined, id_out: 'x' })).toEqual([
      'nmae: unknown attribute (not in the provider schema)',
      'id_out: is read-only (computed): it cannot be set',
      'name: is required but missing',
    ]);
  });

  test('a duration without a unit fails the provider validator and the read-back form', () => {
    expect(findings({ backdate: '30' })).toEqual([
      "backdate: '30' is not a Go duration (time.ParseDuration needs a unit, e.g. '30s', '1h'); the provider's ValidateDuration rejects it",
      "backdate: '30' is read back in Go's short form (flattenVaultDuration -> util.ShortDur); any other spelling is a diff on every plan",
    ]);
    expect(findings({ backdate: '60s' })).toEqual([
      "backdate: '60s' is read back in Go's short form (flattenVaultDuration -> util.ShortDur): write '1m'; any other spelling is a diff on every plan",
    ]);
  });

  test('TTLs read back as seconds must be written as seconds', () => {
    expect(findings({ ttl: '24h', token_ttl: '5m' })).toEqual([
      "ttl: '24h' comes back from Vault as whole seconds (integer seconds): every plan would show a diff; write the seconds, e.g. '86400'",
      'token_ttl: must be a number, got string "5m"',
      "token_ttl: '5m' is read back as integer seconds: write a number of seconds",
    ]);
  });

  test('types with Terraform JSON conversions, validators, conflicts, groups, block counts, set duplicates', () => {
    expect(findings({ flag: 'yes', mode: 'c', other: 'x', one: undefined, tune: [{ size: 1 }, { size: 2.5 }], tags: ['a', 'a'] })).toEqual([
      'flag: must be a bool, got string "yes"',
      "mode: 'c' is not one of 'a', 'b'",
      "mode: conflicts with 'other': set only one of them",
      'tune: takes at most 1 item(s), has 2',
      'tune.1.size: must be a whole number, got 2.5',
      'tags: is a set: duplicate elements collapse, so the plan never matches the configuration',
      ': at least one of one, two must be set',
    ]);
    expect(findings({ flag: 'true', token_ttl: '300' })).toEqual([]);
  });

  test('provider blocks, unknown resource types and pinned provider versions', () => {
    const config = {
      terraform: { required_providers: { demo: { source: 'hashicorp/demo', version: '0.9.0' } } },
      provider: { demo: [{ adress: 'x' }] },
      resource: { demo_nothing: { x: {} } },
    };
    expect(new TerraformSchemaChecker([mini]).check(config)).toEqual([
      { address: 'terraform.required_providers.demo', path: 'version', problem: "pins '0.9.0', but the schema checked against is registry.terraform.io/hashicorp/demo 1.0.0: pin exactly that version" },
      { address: 'provider.demo[0]', path: 'adress', problem: 'unknown attribute (not in the provider schema)' },
      { address: 'demo_nothing.x', path: '', problem: "unknown resource type 'demo_nothing' in the provider schemas" },
    ]);
  });

  test("Go's short duration form, as the provider writes it into state", () => {
    expect([0, 30, 60, 90, 3600, 3630, 5400, 86400].map(goShortDuration)).toEqual(['0s', '30s', '1m', '1m30s', '1h', '1h0m30s', '1h30m', '24h']);
  });
});

describe('the real provider schemas (vault 5.6.0, kubernetes 2.38.0)', () => {
  function referenceStacks(): any[] {
    const tf = new TerraformApp();
    buildReferenceScenario(new App(), tf);
    return tf.node.children.map((stack) => JSON.parse(TfTesting.synth(stack as any)));
  }

  test('the reference scenario passes with zero findings', () => {
    for (const stack of referenceStacks()) expect(checker.check(stack)).toEqual([]);
  });

  test("would catch the first version's tenant role: not_before_duration '30'", () => {
    const [stack] = referenceStacks();
    const roles = stack.resource.vault_pki_secret_backend_role;
    const id = Object.keys(roles)[0];
    roles[id].not_before_duration = '30';
    expect(checker.check(stack).map((f) => `${f.address} .${f.path}`)).toEqual([
      `vault_pki_secret_backend_role.${id} .not_before_duration`,
      `vault_pki_secret_backend_role.${id} .not_before_duration`,
    ]);
  });
});
