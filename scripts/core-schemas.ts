// Strict schemas for the core Kubernetes kinds the library emits, derived by hand from the Kubernetes 1.28 API
// (field lists from the OpenAPI v3 spec, semantic rules from pkg/apis/{core,rbac}/validation and the v1 defaulters).
// They use the same OpenAPI subset as CRD schemas and go through the same strictification (unknown fields rejected).
// `metadata` is added by the registry (ObjectMeta is shared with the CRD kinds).

export type Schema = Record<string, unknown>;
export type Scope = 'Namespaced' | 'Cluster';
/**
 * How metadata.name is validated: most kinds use NameIsDNSSubdomain, RBAC uses ValidateRBACName (path segment),
 * Namespace uses ValidateNamespaceName (a DNS label).
 */
export type NameRule = 'dns-subdomain' | 'path-segment' | 'dns-label';

export interface CoreKind {
  readonly apiVersion: string;
  readonly kind: string;
  readonly scope: Scope;
  readonly nameRule: NameRule;
  readonly schema: Schema;
}

export const DNS_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
const RBAC_GROUP = 'rbac.authorization.k8s.io';

const str: Schema = { type: 'string' };
const nonEmpty: Schema = { type: 'string', minLength: 1 };
const bool: Schema = { type: 'boolean' };
const int64: Schema = { type: 'integer', format: 'int64' };
const dateTime: Schema = { type: 'string', format: 'date-time' };
const base64: Schema = { type: 'string', format: 'byte' };
const strMap: Schema = { type: 'object', additionalProperties: str };

function arrayOf(items: Schema, constraints: Schema = {}): Schema {
  return { type: 'array', items, ...constraints };
}

function strEnum(...values: string[]): Schema {
  return { type: 'string', enum: values };
}

const strList = arrayOf(str);

function obj(properties: Record<string, Schema>, required: string[] = []): Schema {
  return { type: 'object', properties, required };
}

/** An object schema that is already strict (OBJECT_META is used as is, not strictified). */
function strictObject(properties: Record<string, Schema>, required: string[] = []): Schema {
  return { ...obj(properties, required), additionalProperties: false };
}

function root(properties: Record<string, Schema>, required: string[] = []): Schema {
  return obj({ apiVersion: str, kind: str, ...properties }, ['apiVersion', 'kind', ...required]);
}

/** IsConfigMapKey: [-._a-zA-Z0-9]+ of at most 253 characters, neither '.' nor starting with '..' (one RE2 pattern). */
function keyedMap(values: Schema): Schema {
  const key = { maxLength: 253, pattern: '^\\.?[-_a-zA-Z0-9][-._a-zA-Z0-9]*$' };
  return { type: 'object', propertyNames: key, additionalProperties: values };
}

/** ValidateRBACName: a path segment name (not '.' or '..', no '/' or '%'). */
const rbacName: Schema = { type: 'string', minLength: 1, pattern: '^[^/%]+$', not: { enum: ['.', '..'] } };

const labelSelector = obj({
  matchExpressions: arrayOf(obj({ key: nonEmpty, operator: strEnum('In', 'NotIn', 'Exists', 'DoesNotExist'), values: strList }, ['key', 'operator'])),
  matchLabels: strMap,
});

/** ValidatePolicyRule: verbs always; resource rules need apiGroups and resources; namespaced rules have no nonResourceURLs. */
function policyRule(namespaced: boolean): Schema {
  const verbs = arrayOf(str, { minItems: 1 });
  if (namespaced) {
    const atLeastOne = arrayOf(str, { minItems: 1 });
    const fields = { apiGroups: atLeastOne, nonResourceURLs: arrayOf(str, { maxItems: 0 }), resourceNames: strList, resources: atLeastOne, verbs };
    return obj(fields, ['verbs', 'apiGroups', 'resources']);
  }
  const resourceRule = { required: ['apiGroups', 'resources'], properties: { apiGroups: { minItems: 1 }, resources: { minItems: 1 } } };
  const nonResourceRule = { properties: { apiGroups: { maxItems: 0 }, resources: { maxItems: 0 }, resourceNames: { maxItems: 0 } } };
  return {
    ...obj({ apiGroups: strList, nonResourceURLs: strList, resourceNames: strList, resources: strList, verbs }, ['verbs']),
    if: { required: ['nonResourceURLs'], properties: { nonResourceURLs: { minItems: 1 } } },
    then: nonResourceRule,
    else: resourceRule,
  };
}

/** ValidateRoleBindingSubject after SetDefaults_Subject (an empty apiGroup of a User or Group defaults to RBAC's);
 * service accounts of cluster bindings need a namespace. */
function subject(namespacedBinding: boolean): Schema {
  const serviceAccount = {
    properties: { apiGroup: { const: '' }, name: { maxLength: 253, pattern: DNS_SUBDOMAIN } },
    required: namespacedBinding ? [] : ['namespace'],
  };
  return {
    ...obj({ apiGroup: str, kind: strEnum('ServiceAccount', 'User', 'Group'), name: nonEmpty, namespace: str }, ['kind', 'name']),
    if: { properties: { kind: { const: 'ServiceAccount' } } },
    then: serviceAccount,
    else: { properties: { apiGroup: { enum: ['', RBAC_GROUP] } } },
  };
}

/** ValidateRoleBinding after SetDefaults_RoleBinding (an empty roleRef.apiGroup defaults to rbac.authorization.k8s.io). */
function binding(namespaced: boolean): Schema {
  const roleKinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  const roleRef = obj({ apiGroup: strEnum('', RBAC_GROUP), kind: strEnum(...roleKinds), name: rbacName }, ['kind', 'name']);
  return root({ roleRef, subjects: arrayOf(subject(namespaced)) }, ['roleRef']);
}

const managedFieldsEntry = strictObject({
  apiVersion: str,
  fieldsType: str,
  fieldsV1: { type: 'object' },
  manager: str,
  operation: str,
  subresource: str,
  time: dateTime,
});

const ownerReference = strictObject(
  { apiVersion: str, blockOwnerDeletion: bool, controller: bool, kind: str, name: str, uid: str },
  ['apiVersion', 'kind', 'name', 'uid'],
);

/** metav1.ObjectMeta: every field a client may send (server-set fields included, as kubectl accepts them). */
export const OBJECT_META: Schema = strictObject({
  annotations: strMap,
  creationTimestamp: { ...dateTime, nullable: true },
  deletionGracePeriodSeconds: int64,
  deletionTimestamp: dateTime,
  finalizers: strList,
  generateName: str,
  generation: int64,
  labels: strMap,
  managedFields: arrayOf(managedFieldsEntry),
  name: str,
  namespace: str,
  ownerReferences: arrayOf(ownerReference),
  resourceVersion: str,
  uid: str,
}, ['name']);

const objectReference = obj({ apiVersion: str, fieldPath: str, kind: str, name: str, namespace: str, resourceVersion: str, uid: str });

export const CORE_KINDS: readonly CoreKind[] = [
  {
    // A GitOps tree's tenant namespaces (pkg/apis/core/validation ValidateNamespace: name a DNS-1123 label; spec.finalizers).
    apiVersion: 'v1',
    kind: 'Namespace',
    scope: 'Cluster',
    nameRule: 'dns-label',
    schema: root({ spec: obj({ finalizers: strList }) }),
  },
  {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    scope: 'Namespaced',
    nameRule: 'dns-subdomain',
    schema: root({ automountServiceAccountToken: bool, imagePullSecrets: arrayOf(obj({ name: str })), secrets: arrayOf(objectReference) }),
  },
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    scope: 'Namespaced',
    nameRule: 'dns-subdomain',
    schema: root({ binaryData: keyedMap(base64), data: keyedMap(str), immutable: bool }),
  },
  {
    apiVersion: 'v1',
    kind: 'Secret',
    scope: 'Namespaced',
    nameRule: 'dns-subdomain',
    schema: root({ data: keyedMap(base64), immutable: bool, stringData: keyedMap(str), type: str }),
  },
  {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'Role',
    scope: 'Namespaced',
    nameRule: 'path-segment',
    schema: root({ rules: arrayOf(policyRule(true)) }),
  },
  {
    apiVersion: `${RBAC_GROUP}/v1`,
    kind: 'ClusterRole',
    scope: 'Cluster',
    nameRule: 'path-segment',
    schema: root({ aggregationRule: obj({ clusterRoleSelectors: arrayOf(labelSelector) }), rules: arrayOf(policyRule(false)) }),
  },
  { apiVersion: `${RBAC_GROUP}/v1`, kind: 'RoleBinding', scope: 'Namespaced', nameRule: 'path-segment', schema: binding(true) },
  { apiVersion: `${RBAC_GROUP}/v1`, kind: 'ClusterRoleBinding', scope: 'Cluster', nameRule: 'path-segment', schema: binding(false) },
];
