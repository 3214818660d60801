import { DEFAULT_KEY_USAGES } from './ingress-shim';
import { goDurationSeconds } from '../output-index';

/**
 * What approver-policy v0.27.0 would decide for a request, once cert-manager's own approver is off: enough of it for
 * an offline audit to say which Certificates of an estate would be approved, denied or left pending. It follows
 * approver-policy's sources (pkg/internal/approver/manager/predicate/predicate.go: issuerRef and namespace selectors,
 * RBAC `use` in the request's namespace; allowed/evaluator.go; constraints/evaluator.go; manager/review.go: approved
 * when any selected policy allows everything, denied when every selected policy refuses, unprocessed when none is
 * selected) and Kubernetes RBAC (Role/ClusterRole through RoleBinding/ClusterRoleBinding to a user, group or service
 * account). Not evaluated: CEL `validations` (reported, and assumed to pass) and plugins. test/audit-approval.test.ts
 * holds it to the approver-policy model of test/models (checked against approver-policy's own test cases).
 * @internal
 */

/** A CertificateRequest as approver-policy reads it. @internal */
export interface SimulatedRequest {
  readonly namespace: string;
  readonly issuerRef: { readonly name: string; readonly kind?: string; readonly group?: string };
  /** `spec.username`: who created it (cert-manager's service account for Certificates). */
  readonly username: string;
  readonly groups: string[];
  /** `spec.duration` (a Go duration), absent when the Certificate has none. */
  readonly duration?: string;
  readonly isCA: boolean;
  readonly usages?: string[];
  readonly commonName: string;
  readonly organizations: string[];
  readonly dnsNames: string[];
  readonly ipAddresses: string[];
  readonly uris: string[];
  readonly emailAddresses: string[];
  readonly key: { readonly algorithm: string; readonly size: number };
}

/** The decision, the approving policies, and why the others refuse. @internal */
export interface SimulatedDecision {
  readonly decision: 'approved' | 'denied' | 'unprocessed';
  readonly approvedBy: string[];
  /** `<policy>: <what it refuses>` for every selected policy that refuses. */
  readonly reasons: string[];
  /** Selected policies that have CEL validations the simulation did not run. */
  readonly unevaluated: string[];
}

/**
 * The request cert-manager v1.21.1 creates for a Certificate (requestmanager `createNewCertificateRequest`: duration,
 * isCA, usages and issuerRef copied verbatim; the key keymanager generates: RSA 2048 / ECDSA P-256 unless a size is
 * set), created by cert-manager's service account `certManager` (`<namespace>/<name>`).
 * @internal
 */
export function requestFromCertificate(certificate: any, certManager: string): SimulatedRequest {
  const spec = certificate.spec ?? {};
  const algorithm = spec.privateKey?.algorithm || 'RSA';
  const size = spec.privateKey?.size || (algorithm === 'ECDSA' ? 256 : algorithm === 'RSA' ? 2048 : 0);
  const [ns, name] = certManager.split('/');
  return {
    namespace: certificate.metadata?.namespace ?? 'default',
    issuerRef: spec.issuerRef ?? { name: '' },
    username: `system:serviceaccount:${ns}:${name}`,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
    duration: spec.duration,
    isCA: spec.isCA === true,
    usages: spec.usages,
    commonName: spec.commonName ?? '',
    organizations: spec.subject?.organizations ?? [],
    dnsNames: spec.dnsNames ?? [],
    ipAddresses: spec.ipAddresses ?? [],
    uris: spec.uris ?? [],
    emailAddresses: spec.emailAddresses ?? [],
    key: { algorithm, size: algorithm === 'Ed25519' ? 0 : size },
  };
}

/** approver-policy's `*` wildcard (pkg/internal/util/wildcard.go): any run of characters, nothing else special. @internal */
export function wildcardMatch(pattern: string, value: string): boolean {
  if (pattern === '*') return true;
  const re = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
  return re.test(value);
}

const RBAC = 'rbac.authorization.k8s.io';

/** Decides `request` against the policies and RBAC of `objects` (every Kubernetes object of the cluster). @internal */
export function simulateApproval(request: SimulatedRequest, objects: any[]): SimulatedDecision {
  const policies = objects.filter((o) => o?.kind === 'CertificateRequestPolicy' && String(o.apiVersion ?? '').startsWith('policy.cert-manager.io/'))
    .sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
  const selected = policies.filter((p) => selects(p, request, objects) && mayUse(objects, request, p.metadata?.name ?? ''));
  if (selected.length === 0) return { decision: 'unprocessed', approvedBy: [], reasons: [], unevaluated: [] };
  const reasons: string[] = [];
  const approvedBy: string[] = [];
  for (const p of selected) {
    const problems = [...allowedProblems(p.spec?.allowed ?? {}, request), ...constraintProblems(p.spec?.constraints, request)];
    if (problems.length === 0) approvedBy.push(p.metadata.name);
    else reasons.push(`${p.metadata.name}: ${problems.join('; ')}`);
  }
  const unevaluated = selected.filter((p) => JSON.stringify(p.spec?.allowed ?? {}).includes('"validations"')).map((p) => p.metadata.name);
  return { decision: approvedBy.length > 0 ? 'approved' : 'denied', approvedBy, reasons, unevaluated };
}

function selects(policy: any, request: SimulatedRequest, objects: any[]): boolean {
  const sel = policy.spec?.selector ?? {};
  const ref = sel.issuerRef;
  if (ref) {
    if (ref.name != null && !wildcardMatch(ref.name, request.issuerRef.name ?? '')) return false;
    if (ref.kind != null && !wildcardMatch(ref.kind, request.issuerRef.kind || 'Issuer')) return false;
    if (ref.group != null && !wildcardMatch(ref.group, request.issuerRef.group || 'cert-manager.io')) return false;
  }
  const ns = sel.namespace;
  if (ns) {
    const names: string[] = ns.matchNames ?? [];
    if (names.length > 0 && !names.some((n) => wildcardMatch(n, request.namespace))) return false;
    if (ns.matchLabels) {
      const namespace = objects.find((o) => o?.kind === 'Namespace' && o.metadata?.name === request.namespace);
      const labels = { ...(namespace?.metadata?.labels ?? {}), 'kubernetes.io/metadata.name': request.namespace };
      if (!namespace || !Object.entries<string>(ns.matchLabels).every(([k, v]) => labels[k] === v)) return false;
    }
  }
  return true;
}

/** Whether the request's creator may `use` policy `name` in the request's namespace (a SubjectAccessReview under RBAC). @internal */
export function mayUse(objects: any[], request: { username: string; groups: string[]; namespace: string }, name: string): boolean {
  if (request.groups.includes('system:masters')) return true;
  const rules = (ref: any, namespace: string): any[] => {
    const kind = ref?.kind;
    const role = objects.find((o) => o?.kind === kind && String(o.apiVersion ?? '').startsWith(`${RBAC}/`) && o.metadata?.name === ref?.name
      && (kind === 'ClusterRole' || o.metadata?.namespace === namespace));
    if (!role) return [];
    const selectors = role.aggregationRule?.clusterRoleSelectors as any[] | undefined;
    if (kind === 'ClusterRole' && selectors) {
      return objects.filter((o) => o?.kind === 'ClusterRole' && selectors.some((s) => Object.entries<string>(s.matchLabels ?? {})
        .every(([k, v]) => o.metadata?.labels?.[k] === v))).flatMap((o) => o.rules ?? []);
    }
    return role.rules ?? [];
  };
  const allows = (rule: any) => ((rule.verbs ?? []).includes('use') || (rule.verbs ?? []).includes('*'))
    && ((rule.apiGroups ?? []).includes('policy.cert-manager.io') || (rule.apiGroups ?? []).includes('*'))
    && ((rule.resources ?? []).includes('certificaterequestpolicies') || (rule.resources ?? []).includes('*'))
    && (!(rule.resourceNames ?? []).length || rule.resourceNames.includes(name));
  const applies = (subject: any, bindingNamespace: string) => {
    if (subject?.kind === 'User') return subject.name === request.username;
    if (subject?.kind === 'Group') return request.groups.includes(subject.name);
    if (subject?.kind === 'ServiceAccount') return `system:serviceaccount:${subject.namespace || bindingNamespace}:${subject.name}` === request.username;
    return false;
  };
  for (const b of objects.filter((o) => o?.kind === 'ClusterRoleBinding' && String(o.apiVersion ?? '').startsWith(`${RBAC}/`))) {
    if ((b.subjects ?? []).some((s: any) => applies(s, '')) && rules(b.roleRef, '').some(allows)) return true;
  }
  for (const b of objects.filter((o) => o?.kind === 'RoleBinding' && o.metadata?.namespace === request.namespace)) {
    if ((b.subjects ?? []).some((s: any) => applies(s, request.namespace)) && rules(b.roleRef, request.namespace).some(allows)) return true;
  }
  return false;
}

function stringProblems(field: string, value: string, allowed: any): string[] {
  if (value === '') return allowed?.required === true ? [`${field} is required`] : [];
  if (!allowed || (allowed.value == null && !(allowed.validations ?? []).length)) return [`${field} '${value}' is not allowed (no allowed value)`];
  return allowed.value != null && !wildcardMatch(allowed.value, value) ? [`${field} '${value}' does not match '${allowed.value}'`] : [];
}

function sliceProblems(field: string, values: string[], allowed: any): string[] {
  if (values.length === 0) return allowed?.required === true ? [`${field} are required`] : [];
  if (!allowed || (allowed.values == null && !(allowed.validations ?? []).length)) return [`${field} ${JSON.stringify(values)} are not allowed (no allowed values)`];
  const outside = allowed.values == null ? [] : values.filter((v) => !allowed.values.some((p: string) => wildcardMatch(p, v)));
  return outside.length ? [`${field} ${JSON.stringify(outside)} not in ${JSON.stringify(allowed.values)}`] : [];
}

function allowedProblems(allowed: any, r: SimulatedRequest): string[] {
  const usages = r.usages ?? [];
  return [
    ...stringProblems('commonName', r.commonName, allowed.commonName),
    ...sliceProblems('dnsNames', r.dnsNames, allowed.dnsNames),
    ...sliceProblems('ipAddresses', r.ipAddresses, allowed.ipAddresses),
    ...sliceProblems('uris', r.uris, allowed.uris),
    ...sliceProblems('emailAddresses', r.emailAddresses, allowed.emailAddresses),
    ...(r.isCA && allowed.isCA !== true ? ['isCA is not allowed'] : []),
    ...(usages.length && !(allowed.usages != null && usages.every((u) => allowed.usages.some((p: string) => wildcardMatch(p, u))))
      ? [`usages ${JSON.stringify(usages)} not in ${JSON.stringify(allowed.usages ?? null)}`] : []),
    ...sliceProblems('subject.organizations', r.organizations, allowed.subject?.organizations),
  ];
}

function constraintProblems(c: any, r: SimulatedRequest): string[] {
  if (!c) return [];
  const out: string[] = [];
  const requested = r.duration === undefined ? undefined : goDurationSeconds(normalize(r.duration));
  for (const [field, limit, tooLong] of [['maxDuration', c.maxDuration, true], ['minDuration', c.minDuration, false]] as const) {
    if (limit == null) continue;
    const seconds = goDurationSeconds(normalize(limit));
    if (requested === undefined) out.push(`${field} ${limit} and the request has no duration (a Certificate without spec.duration)`);
    else if (seconds !== undefined && (tooLong ? requested > seconds : requested < seconds)) out.push(`duration ${r.duration} is ${tooLong ? 'above' : 'below'} ${field} ${limit}`);
  }
  const pk = c.privateKey;
  if (pk) {
    if (pk.algorithm != null && pk.algorithm !== r.key.algorithm) out.push(`key ${r.key.algorithm} is not ${pk.algorithm}`);
    if (pk.minSize != null && r.key.size < pk.minSize) out.push(`key size ${r.key.size} is below minSize ${pk.minSize}`);
    if (pk.maxSize != null && r.key.size > pk.maxSize) out.push(`key size ${r.key.size} is above maxSize ${pk.maxSize}`);
  }
  return out;
}

/** A Go duration with the units goDurationSeconds does not read (`0s` parts are fine) reduced to h/m/s. */
function normalize(d: string): string {
  return d.replace(/(\d+(?:\.\d+)?)(ns|us|µs)/g, '0s');
}

/** The usages cert-manager puts in a request when the Certificate lists none (for messages). @internal */
export const CERT_MANAGER_DEFAULT_USAGES = DEFAULT_KEY_USAGES;
