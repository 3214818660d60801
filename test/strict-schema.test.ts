import {
  formatReport,
  parseYamlDocuments,
  SchemaRegistry,
  strictify,
  validateManifests,
  validateObject,
  type Issue,
} from '../scripts/strict-schema';

type Json = Record<string, unknown>;

/** A tiny CRD exercising the schema features the real CRDs use. */
function widgetCrd(kind: string, scope: 'Namespaced' | 'Cluster'): Json {
  const spec = {
    type: 'object',
    required: ['size'],
    properties: {
      size: { type: 'integer', format: 'int32', minimum: 1 },
      port: { 'x-kubernetes-int-or-string': true, 'anyOf': [{ type: 'integer' }, { type: 'string' }] },
      mode: { type: 'string', enum: ['fast', 'slow'] },
      note: { type: 'string', nullable: true },
      ref: { type: 'object', properties: { name: { type: 'string', pattern: '^(?i)[a-z]+$' } } },
      config: { 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true },
      empty: { type: 'object' },
      source: {
        'type': 'object',
        'properties': { a: { type: 'string' }, b: { type: 'string' } },
        'x-kubernetes-validations': [{ rule: 'has(self.a) != has(self.b)', message: 'exactly one of a or b' }],
      },
      url: { 'type': 'string', 'x-kubernetes-validations': [{ rule: 'isURL(self)' }] },
      tags: { 'type': 'array', 'x-kubernetes-list-type': 'set', 'items': { type: 'string' } },
      ports: {
        'type': 'array',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['name'],
        'items': { type: 'object', required: ['name'], properties: { name: { type: 'string' }, number: { type: 'integer' } } },
      },
    },
  };
  const metadata = { type: 'object', properties: { name: { type: 'string', maxLength: 20 } } };
  const schema = { type: 'object', properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata, spec } };
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${kind.toLowerCase()}s.example.com` },
    spec: {
      group: 'example.com',
      names: { kind, plural: `${kind.toLowerCase()}s` },
      scope,
      versions: [
        { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema } },
        { name: 'v1beta1', served: false, storage: false, schema: { openAPIV3Schema: schema } },
      ],
    },
  };
}

const registry = SchemaRegistry.fromDocuments([widgetCrd('Widget', 'Namespaced'), widgetCrd('ClusterWidget', 'Cluster'), { kind: 'ConfigMap' }]);

function widget(spec: Json = {}, metadata: Json = {}): Json {
  return { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'ns', ...metadata }, spec: { size: 3, ...spec } };
}

function issues(object: unknown): Issue[] {
  return validateObject(registry, object).issues;
}

describe('CRD schemas', () => {
  test('a valid object passes', () => {
    const spec = { mode: 'fast', ref: { name: 'abc' }, source: { a: 'x' }, ports: [{ name: 'a' }, { name: 'b' }], tags: ['a'] };
    const result = validateObject(registry, widget(spec));
    expect(result).toEqual({ source: 'crd', issues: [], notes: [], cel: { evaluated: 1, notEvaluated: 0 } });
  });

  test('unknown fields are caught at any depth, also in objects without properties', () => {
    const object = widget({ ref: { name: 'abc', nmae: 'typo' }, empty: { x: 1 } });
    object.spce = {};
    expect(issues(object)).toEqual([
      { path: '.spce', problem: 'unknown field' },
      { path: '.spec.empty.x', problem: 'unknown field' },
      { path: '.spec.ref.nmae', problem: 'unknown field' },
    ]);
  });

  test('wrong types, enums, formats, patterns and required fields are caught', () => {
    expect(issues(widget({ size: '3', mode: 'medium', ref: { name: 'a1' } }))).toEqual([
      { path: '.spec.mode', problem: 'unsupported value "medium": must be one of "fast", "slow"' },
      { path: '.spec.ref.name', problem: 'invalid value "a1": must match pattern "^(?i)[a-z]+$"' },
      { path: '.spec.size', problem: 'must be integer (got "3")' },
    ]);
    expect(issues(widget({ size: 2 ** 31 }))).toEqual([{ path: '.spec.size', problem: `invalid value ${2 ** 31}: must match format "int32"` }]);
    const withoutSize = widget();
    delete (withoutSize.spec as Json).size;
    expect(issues(withoutSize)).toEqual([{ path: '.spec.size', problem: 'required field missing' }]);
  });

  test('Go (RE2) patterns are honoured: (?i) makes the match case-insensitive', () => {
    expect(issues(widget({ ref: { name: 'ABC' } }))).toEqual([]);
  });

  test('x-kubernetes-int-or-string accepts integers and strings only', () => {
    expect(issues(widget({ port: 8080 }))).toEqual([]);
    expect(issues(widget({ port: 'http' }))).toEqual([]);
    expect(issues(widget({ port: true }))).toEqual([{ path: '.spec.port', problem: 'must be integer,string (got true)' }]);
  });

  test('nullable allows null only where it is set', () => {
    expect(issues(widget({ note: null }))).toEqual([]);
    expect(issues(widget({ ref: { name: null } }))).toEqual([{ path: '.spec.ref.name', problem: 'must be string (got null)' }]);
  });

  test('x-kubernetes-preserve-unknown-fields keeps unknown fields, only where it is set', () => {
    expect(issues(widget({ config: { anything: { deep: [1, 'two'] } } }))).toEqual([]);
    expect(issues(widget({ config: {}, source: { a: 'x', c: 'y' } }))).toEqual([{ path: '.spec.source.c', problem: 'unknown field' }]);
  });

  test('list-type set items and list-type map keys must be unique', () => {
    expect(issues(widget({ tags: ['a', 'b'], ports: [{ name: 'a' }, { name: 'b', number: 1 }] }))).toEqual([]);
    expect(issues(widget({ tags: ['a', 'b', 'a'], ports: [{ name: 'a' }, { name: 'b', number: 1 }, { name: 'a', number: 2 }] }))).toEqual([
      { path: '.spec.ports[2]', problem: 'duplicate entry for list-map keys (name)' },
      { path: '.spec.tags', problem: 'must NOT have duplicate items (items ## 2 and 0 are identical)' },
    ]);
  });

  test('an unknown kind, an undefined version and an unserved version are findings', () => {
    expect(issues({ ...widget(), kind: 'Gadget' })).toEqual([{ path: '.', problem: 'no schema for example.com/v1 Gadget' }]);
    expect(issues({ ...widget(), apiVersion: 'example.com/v2' })).toEqual([
      { path: '.', problem: 'no schema for example.com/v2 Widget (defined: example.com/v1, example.com/v1beta1)' },
    ]);
    expect(issues({ ...widget(), apiVersion: 'example.com/v1beta1' })).toEqual([
      { path: '.apiVersion', problem: 'example.com/v1beta1 Widget is not served by its CRD' },
    ]);
    expect(issues({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'ns' } })).toEqual([
      { path: '.', problem: 'no schema for apps/v1 Deployment' },
    ]);
  });
});

describe('ObjectMeta', () => {
  test('namespace is required for namespaced kinds and forbidden for cluster-scoped ones', () => {
    const { namespace, ...noNamespace } = widget().metadata as Json;
    expect(namespace).toBe('ns');
    expect(issues({ ...widget(), metadata: noNamespace })).toEqual([{ path: '.metadata.namespace', problem: 'required for a namespaced kind' }]);
    expect(issues({ ...widget(), kind: 'ClusterWidget' })).toEqual([
      { path: '.metadata.namespace', problem: 'must not be set for a cluster-scoped kind' },
    ]);
    expect(issues({ ...widget(), kind: 'ClusterWidget', metadata: noNamespace })).toEqual([]);
  });

  test('name, namespace, labels, annotations, unknown fields and the CRD\'s own metadata constraints are checked', () => {
    const labels = { 'example.com/ok': 'v', '-bad': 'x y' };
    const metadata = { name: 'Bad_Name', namespace: 'a.b', labels, annotations: { 'a/b/c': '' }, nmespace: 'x' };
    expect(issues(widget({}, metadata)).map((i) => i.path)).toEqual([
      '.metadata.annotations["a/b/c"]',
      '.metadata.labels["-bad"]',
      '.metadata.labels["-bad"]',
      '.metadata.name',
      '.metadata.namespace',
      '.metadata.nmespace',
    ]);
    expect(issues(widget({}, { name: 'a'.repeat(21) }))).toEqual([{ path: '.metadata.name', problem: 'must NOT have more than 20 characters' }]);
    const { name, ...noName } = widget().metadata as Json;
    expect(name).toBe('w');
    expect(issues({ ...widget(), metadata: noName })).toEqual([{ path: '.metadata.name', problem: 'required field missing' }]);
  });
});

describe('CEL rules', () => {
  test('a failing rule is a finding with its message', () => {
    expect(validateObject(registry, widget({ source: { a: 'x', b: 'y' } }))).toMatchObject({
      issues: [{ path: '.spec.source', problem: 'exactly one of a or b' }],
      cel: { evaluated: 1, notEvaluated: 0 },
    });
  });

  test('a rule the evaluator cannot run is counted and noted, never passed', () => {
    const result = validateObject(registry, widget({ url: 'https://example.com' }));
    expect(result.issues).toEqual([]);
    expect(result.cel).toEqual({ evaluated: 0, notEvaluated: 1 });
    expect(result.notes).toEqual([{ path: '.spec.url', problem: expect.stringMatching(/^CEL rule not evaluated \(.*\): isURL\(self\)$/) }]);
  });

  test('rules are not evaluated on an object with type errors', () => {
    expect(validateObject(registry, widget({ size: 'x', source: { a: 'x', b: 'y' } }))).toMatchObject({
      issues: [{ path: '.spec.size', problem: 'must be integer (got "x")' }],
      cel: { evaluated: 0, notEvaluated: 1 },
    });
  });
});

describe('core kinds', () => {
  const binding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'system:binding', namespace: 'ns' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r' },
    subjects: [{ kind: 'ServiceAccount', name: 'sa', namespace: 'other' }, { kind: 'User', name: 'alice' }],
  };

  test('a valid RoleBinding passes (RBAC names are path segments)', () => {
    expect(validateObject(registry, binding)).toMatchObject({ source: 'core', issues: [] });
  });

  test('unknown fields and API-server rules are enforced', () => {
    const subjects = [{ kind: 'ServiceAccount', name: 'sa', apiGroup: 'rbac.authorization.k8s.io', nmespace: 'x' }];
    const bad = { ...binding, roleRef: { kind: 'Rol', name: 'r' }, subjects };
    expect(issues(bad)).toEqual([
      { path: '.roleRef.kind', problem: 'unsupported value "Rol": must be one of "Role", "ClusterRole"' },
      { path: '.subjects[0].apiGroup', problem: 'unsupported value "rbac.authorization.k8s.io": must be ""' },
      { path: '.subjects[0].nmespace', problem: 'unknown field' },
    ]);
    expect(issues({ ...binding, kind: 'ClusterRoleBinding', metadata: { name: 'b' } })).toEqual([
      { path: '.roleRef.kind', problem: 'unsupported value "Role": must be one of "ClusterRole"' },
    ]);
  });

  test('Role and ClusterRole rules follow ValidatePolicyRule', () => {
    const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r', namespace: 'ns' } };
    const resourceRule = { apiGroups: [''], resources: ['serviceaccounts/token'], resourceNames: ['sa'], verbs: ['create'] };
    expect(issues({ ...role, rules: [resourceRule] })).toEqual([]);
    expect(issues({ ...role, rules: [{ verbs: [], nonResourceURLs: ['/healthz'] }] })).toEqual([
      { path: '.rules[0].apiGroups', problem: 'required field missing' },
      { path: '.rules[0].nonResourceURLs', problem: 'must NOT have more than 0 items' },
      { path: '.rules[0].resources', problem: 'required field missing' },
      { path: '.rules[0].verbs', problem: 'must NOT have fewer than 1 items' },
    ]);
    const clusterRole = { ...role, kind: 'ClusterRole', metadata: { name: 'system:r' } };
    expect(issues({ ...clusterRole, rules: [resourceRule, { verbs: ['get'], nonResourceURLs: ['/healthz'] }] })).toEqual([]);
    expect(issues({ ...clusterRole, rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz'], resources: ['pods'] }] })).toEqual([
      { path: '.rules[0].resources', problem: 'must NOT have more than 0 items' },
    ]);
  });

  test('ServiceAccount and ConfigMap fields are strict', () => {
    const metadata = { name: 'x', namespace: 'ns' };
    expect(issues({ apiVersion: 'v1', kind: 'ServiceAccount', metadata, automountServiceAccountToken: false })).toEqual([]);
    expect(issues({ apiVersion: 'v1', kind: 'ServiceAccount', metadata, automountServiceAccountToken: 'false', spec: {} })).toEqual([
      { path: '.automountServiceAccountToken', problem: 'must be boolean (got "false")' },
      { path: '.spec', problem: 'unknown field' },
    ]);
    expect(issues({ apiVersion: 'v1', kind: 'ConfigMap', metadata, data: { 'ca.crt': 'x', '..data': 'y' } })).toEqual([
      { path: '.data["..data"]', problem: 'invalid key: must match pattern "^\\.?[-_a-zA-Z0-9][-._a-zA-Z0-9]*$"' },
    ]);
  });
});

describe('YAML and reports', () => {
  test('documents are read as kubectl reads them (YAML 1.1 booleans, timestamps as strings, no duplicate keys)', () => {
    expect(parseYamlDocuments('a: on\nb: 2024-01-01\n---\n---\nc: 1\nc: 2\n')).toEqual([
      { index: 1, value: { a: true, b: '2024-01-01' } },
      { index: 3, error: expect.stringMatching(/^Map keys must be unique/) },
    ]);
  });

  test('findings are reported per file and object, duplicates included, with a summary line', () => {
    const good = widget();
    const report = validateManifests(registry, [
      { file: 'a.yaml', documents: [{ index: 1, value: good }, { index: 2, value: widget({ bogus: 1 }) }] },
      { file: 'b.yaml', documents: [{ index: 1, error: 'broken' }, { index: 2, value: { ...good, apiVersion: 'v9', kind: 'Thing' } }] },
    ]);
    expect(formatReport(report)).toEqual([
      'a.yaml: Widget ns/w: .: duplicate object (first defined in a.yaml document 1)',
      'a.yaml: Widget ns/w: .spec.bogus: unknown field',
      'b.yaml: document 1: .: YAML: broken',
      'b.yaml: Thing ns/w: .: no schema for v9 Thing',
      'validated 3 objects (2 against CRD schemas, 0 core kinds, 1 without schema) in 2 files: 4 findings; '
        + '0 CEL rules evaluated, 0 CEL rules not evaluated',
    ]);
  });
});

test('strictify closes object schemas but leaves preserved and map-typed objects open', () => {
  expect(strictify({ type: 'object', properties: { a: { type: 'object' } } })).toEqual({
    type: 'object',
    properties: { a: { type: 'object', additionalProperties: false } },
    additionalProperties: false,
  });
  expect(strictify({ 'type': 'object', 'x-kubernetes-preserve-unknown-fields': true }).additionalProperties).toBeUndefined();
  expect(strictify({ type: 'object', additionalProperties: { type: 'string' } }).additionalProperties).toEqual({ type: 'string' });
});
