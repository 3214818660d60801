import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Testing, Yaml } from 'cdk8s';
import { KubeClusterRoleBinding, KubeRole, KubeRoleBinding, KubeServiceAccount } from 'cdk8s-plus-28/lib/imports/k8s';
import { App as TerraformApp } from 'cdktf';
import { IConstruct } from 'constructs';
import * as fc from 'fast-check';
import { loadAll } from 'js-yaml';
import { buildAdoption } from '../examples/adoption/phases';
import { buildPlatform } from '../examples/fleet/platform/program';
import { buildTeam } from '../examples/fleet/team';
import { TEAMS as SHOP_TEAMS } from '../examples/fleet/team-shop/program';
import { buildMeshScenario } from '../examples/mesh/scenario';
import { buildReferenceScenario } from '../examples/reference/scenario';
import { COMPROMISE_REPLACE, COMPROMISE_REVOKE, PREPARE, RETIRE, SWITCH } from '../examples/rotation/phases';
import { ApprovalPhase, FleetContract, GitOpsOutput } from '../src';
import { readYamlDocuments } from '../src/consistency/manifest-reader';
import { yamlText } from '../src/core/yaml-text';
import { CertificateRequestPolicy } from '../src/imports/approver-policy-policy.cert-manager.io';
import { Certificate } from '../src/imports/certificate-cert-manager.io';
import { Issuer } from '../src/imports/issuer-cert-manager.io';
import { PrometheusRule, PrometheusRuleSpecGroupsRulesExpr } from '../src/imports/prometheus-operator-monitoring.coreos.com';
import { Bundle } from '../src/imports/trust-manager-trust.cert-manager.io';

// yamlText (the GitOps writer's serializer) must write exactly what cdk8s's Yaml.stringify writes, and readYamlDocuments
// (ConsistencyCheck's reader) must read exactly what js-yaml reads: over random documents built to hit every rule of
// both, and over every object the examples emit.

/** Strings meant to hit the quoting rules: YAML 1.1 words, numbers, dates, indicators, `: `, ` #`, line breaks, unicode. */
const TRICKY = [
  '', ' ', 'a', 'y', 'Y', 'n', 'yes', 'No', 'ON', 'off', 'true', 'False', 'null', 'Null', '~', '<<', '-', '?', ':', '- a', '? a', 'a:', 'a: b',
  'a :b', 'a:b', 'http://x.y/z', 'a #b', 'a#b', '#a', '*a', '&a', '!a', '|a', '>a', "'a", '"a', '%a', '@a', '`a', '{a}', '[a]', 'a,b',
  '---', '...', '--- a', '... a', '0', '00', '01', '-0', '1', '-1', '+1', '1.5', '.5', '1e3', '1E3', '0x1F', '0o7', '0b101', '1_000', '1:20',
  '190:20:30', 'e0', 'E5', 'e+5', 'e-12', '1e5x', 'ee5', '.inf', '-.Inf', '.nan', '2001-12-14', '2001-12-14t21:59:43.10-05:00', '24h', '8h', '1h30m', '500ms', '1.5h', '300s',
  'a\nb', 'a\n', '\na', 'a\n\nb', ' a', 'a ', 'a\tb', 'a\\b', 'a"b', "a'b", "a'b\"c", 'é', 'ünïcödé', '日本', '\u0000', '\u0007', '\u001b',
  '\u0085', '\u00a0', '\u2028', '\ud800', '*.team-000.services.internal', "!self.contains('*')", "self.matches('^([*][.])?[^*]+$')",
  'vector(86400)', 'digital signature', 'vault-pki.cdk8s.io/issuer', 'SkipDryRunOnMissingResource=true', 'constructor', 'toString',
  '__proto__', 'x'.repeat(40), `${'long text '.repeat(20)}\nsecond line`, 'a\n  b', 'a: \n b', 'key: value\n- item',
];
const text = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...TRICKY) },
  { weight: 2, arbitrary: fc.stringMatching(/^[a-z][-a-z0-9.]{0,20}$/) },
  { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom(...'aZ09 -_.:/#*!&|>\'"%@`{}[],?\n\t\\é'.split('')), maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) },
);
const key = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('apiVersion', 'kind', 'metadata', 'name', 'labels', 'app.kubernetes.io/managed-by', 'spec', 'isCA', 'x_y') },
  { weight: 1, arbitrary: text },
);
const scalar = fc.oneof(
  { weight: 6, arbitrary: text },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, 1e21, 2 ** 53, -(2 ** 53), 0.1, NaN, Infinity, -Infinity) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
);
const { doc } = fc.letrec<{ doc: unknown; value: unknown }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('doc')),
  doc: fc.oneof(
    fc.dictionary(key, tie('value'), { maxKeys: 6 }),
    fc.array(tie('value'), { maxLength: 5 }),
  ),
}));
/** Documents shaped like Kubernetes objects: maps of maps and lists, names and labels. */
const manifest = fc.record({
  apiVersion: fc.constantFrom('v1', 'cert-manager.io/v1', 'policy.cert-manager.io/v1alpha1'),
  kind: fc.constantFrom('Issuer', 'Certificate', 'ConfigMap'),
  metadata: fc.record({ name: text, namespace: text, labels: fc.dictionary(key, text, { maxKeys: 4 }) }, { requiredKeys: ['name'] }),
  spec: doc,
}, { requiredKeys: ['apiVersion', 'kind'] });

/** What js-yaml reads from `text`, or the error it throws. */
function jsYaml(input: string): { docs?: unknown[]; error?: string } {
  try {
    return { docs: loadAll(input).filter((m) => m !== null && m !== undefined) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

function ours(input: string): { docs?: unknown[]; error?: string } {
  try {
    return { docs: readYamlDocuments(input) };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

describe('yamlText', () => {
  test('writes what cdk8s Yaml.stringify writes, for random documents', () => {
    fc.assert(fc.property(fc.oneof(doc, manifest), (d) => {
      expect(yamlText(d)).toBe(Yaml.stringify(d));
    }), { numRuns: 1000 });
  });

  test('writes what Yaml.stringify writes for every tricky string as a key, a value and an item', () => {
    for (const s of TRICKY) {
      for (const d of [{ k: s }, { [s]: 'v' }, [s], { a: [s, { [s]: s }] }, { a: { b: [[s]] } }, [[s]]]) {
        expect(yamlText(d)).toBe(Yaml.stringify(d));
      }
    }
  });

  test('an object met twice in one document is an alias, as Yaml.stringify writes it', () => {
    const labels = { a: 'b' };
    const shared = { metadata: { labels }, spec: { template: { labels } } };
    expect(yamlText(shared)).toBe(Yaml.stringify(shared));
    expect(yamlText(shared)).toContain('*a1');
    const list: string[] = [];
    expect(yamlText({ a: list, b: list })).toBe(Yaml.stringify({ a: list, b: list }));
    expect(yamlText({ a: undefined, c: new Date(0) })).toBe(Yaml.stringify({ a: undefined, c: new Date(0) }));
    expect(() => yamlText({ b: () => 1 })).toThrow(/Tag not resolved/);
  });
});

describe('readYamlDocuments', () => {
  test('reads what js-yaml reads from yamlText output, for random documents', () => {
    fc.assert(fc.property(fc.oneof(doc, manifest), (d) => {
      const written = yamlText(d);
      expect(ours(written)).toEqual(jsYaml(written));
    }), { numRuns: 1000 });
  });

  test('reads what js-yaml reads (or fails as it fails) from any text made of YAML-like lines', () => {
    const line = fc.tuple(fc.constantFrom('', '  ', '    ', '- ', '  - ', '- - ', '   '),
      fc.oneof(fc.constantFrom('a: b', 'a:', 'k: "x"', "k: 'y''z'", 'k: []', 'k: {}', 'k: 1', 'k: 24h', 'k: true', 'a: b # c', 'k: null',
        '- x', 'constructor: 1', '__proto__: 1', 'a: b: c', 'k: "\\x41"', 'k: |', '  text', '---', '? k', 'k: &a 1', 'k: *a', 'é: 1', 'k: é'),
      text.map((t) => t.replace(/\n/g, ''))))
      .map(([indent, content]) => `${indent}${content}`);
    fc.assert(fc.property(fc.array(line, { minLength: 1, maxLength: 8 }), fc.boolean(), (lines, newline) => {
      const input = lines.join('\n') + (newline ? '\n' : '');
      expect(ours(input)).toEqual(jsYaml(input));
    }), { numRuns: 1000 });
  });
});

/**
 * How a generated class (src/imports, cdk8s-plus's k8s) renders the props that say what `object` says: the wire form's
 * keys in the classes' names (the few that differ), then the class's own toJson. The library writes these kinds in their
 * wire form; each must be exactly (key order included) what the generated class writes.
 */
function renderedByGeneratedClass(object: any): any {
  const chart = new Chart(Testing.app(), 'c');
  const { apiVersion, kind, metadata, ...rest } = object;
  const cluster = (json: any) => {
    if (json.metadata && 'namespace' in json.metadata && metadata.namespace === undefined) delete json.metadata.namespace;
    return json;
  };
  switch (`${apiVersion}/${kind}`) {
    case 'cert-manager.io/v1/Certificate': {
      const { isCA, ...spec } = rest.spec;
      return new Certificate(chart, 'o', { metadata, spec: { ...spec, ...(isCA !== undefined ? { isCa: isCA } : {}) } }).toJson();
    }
    case 'cert-manager.io/v1/Issuer':
      return new Issuer(chart, 'o', { metadata, spec: rest.spec }).toJson();
    case 'policy.cert-manager.io/v1alpha1/CertificateRequestPolicy': {
      const { isCA, ...allowed } = rest.spec.allowed ?? {};
      const spec = rest.spec.allowed ? { ...rest.spec, allowed: { ...allowed, ...(isCA !== undefined ? { isCa: isCA } : {}) } } : rest.spec;
      return cluster(new CertificateRequestPolicy(chart, 'o', { metadata, spec }).toJson());
    }
    case 'trust.cert-manager.io/v1alpha1/Bundle':
      return cluster(new Bundle(chart, 'o', { metadata, spec: rest.spec }).toJson());
    case 'monitoring.coreos.com/v1/PrometheusRule': {
      const groups = rest.spec.groups.map((g: any) => ({
        ...g,
        rules: g.rules.map((r: any) => ({ ...r, expr: typeof r.expr === 'number' ? PrometheusRuleSpecGroupsRulesExpr.fromNumber(r.expr) : PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr) })),
      }));
      return new PrometheusRule(chart, 'o', { metadata, spec: { ...rest.spec, groups } }).toJson();
    }
    case 'rbac.authorization.k8s.io/v1/Role':
      return new KubeRole(chart, 'o', {
        metadata,
        rules: rest.rules?.map(({ nonResourceURLs, ...r }: any) => ({
          ...r,
          ...(nonResourceURLs !== undefined ? { nonResourceUrLs: nonResourceURLs } : {}),
        })),
      }).toJson();
    case 'rbac.authorization.k8s.io/v1/RoleBinding':
      return new KubeRoleBinding(chart, 'o', { metadata, roleRef: rest.roleRef, subjects: rest.subjects }).toJson();
    case 'rbac.authorization.k8s.io/v1/ClusterRoleBinding':
      return cluster(new KubeClusterRoleBinding(chart, 'o', { metadata, roleRef: rest.roleRef, subjects: rest.subjects }).toJson());
    case 'v1/ServiceAccount':
      return new KubeServiceAccount(chart, 'o', { metadata, ...rest }).toJson();
    default:
      return undefined;
  }
}

/** Every ApiObject under `scope`, rendered. */
function manifestsOf(scope: IConstruct): any[] {
  return scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject).map((o) => o.toJson());
}

describe('over everything the examples emit', () => {
  /** Every object of every example, as ApiObject.toJson renders it, then every file GitOpsOutput wrote for the fleet. */
  const objects: any[] = [];
  let rendered = 0;
  beforeAll(() => {
    for (const generations of [{}, PREPARE, SWITCH, RETIRE, COMPROMISE_REPLACE, COMPROMISE_REVOKE]) {
      const k8s = new App();
      buildReferenceScenario(k8s, new TerraformApp(), generations);
      objects.push(...manifestsOf(k8s));
    }
    const mesh = new App();
    buildMeshScenario(mesh, new TerraformApp());
    objects.push(...manifestsOf(mesh));
    for (const phase of Object.values(ApprovalPhase)) {
      const k8s = new App();
      buildAdoption(k8s, new TerraformApp(), phase);
      objects.push(...manifestsOf(k8s));
    }
    // The fleet: the platform and a team program, through GitOpsOutput (every file it writes is read back too).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'yaml-text-'));
    try {
      const k8s = new App();
      const built = buildPlatform(k8s, new TerraformApp());
      objects.push(...manifestsOf(k8s));
      GitOpsOutput.write(k8s, { outdir: path.join(dir, 'platform'), contract: built.contract, argoCd: { repoUrl: 'https://git.example/gitops.git' } });
      const contract = FleetContract.fromFile(path.join(dir, 'platform', 'fleet-contract.json'), { program: 'team-shop' });
      const team = new App();
      buildTeam(team, new TerraformApp(), contract, SHOP_TEAMS);
      objects.push(...manifestsOf(team));
      GitOpsOutput.write(team, { outdir: path.join(dir, 'team-shop'), contract });
      rendered = objects.length;
      const files = (root: string): string[] => fs.readdirSync(root, { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? files(path.join(root, e.name)) : [path.join(root, e.name)]));
      for (const file of files(dir).filter((f) => f.endsWith('.yaml'))) objects.push(...loadAll(fs.readFileSync(file, 'utf8')));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('every object of a kind the library writes in its wire form is what the generated class writes (key order included)', () => {
    let compared = 0;
    for (const object of objects.slice(0, rendered)) {
      const generated = renderedByGeneratedClass(object);
      if (generated === undefined) continue;
      compared++;
      expect(JSON.stringify(object)).toBe(JSON.stringify(generated));
    }
    expect(compared).toBeGreaterThan(200);
  });

  test('yamlText writes every object as Yaml.stringify does, and readYamlDocuments reads it back as js-yaml does', () => {
    expect(objects.length).toBeGreaterThan(400);
    for (const object of objects) {
      const written = yamlText(object);
      expect(written).toBe(Yaml.stringify(object));
      expect(readYamlDocuments(written)).toEqual(loadAll(written));
    }
  });
});
