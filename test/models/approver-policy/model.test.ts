/**
 * The approver-policy v0.27.0 model against approver-policy's own unit-test tables (upstream-cases.json, one jest
 * test per upstream table case), then a few direct tests of the behaviours this repository depends on.
 */
import * as fs from 'fs';
import * as path from 'path';
import { CertificateRequestObject, serviceAccountIdentity } from '../certificate-request';
import { compileRule, evaluateExpression, splitServiceAccountUsername, ValidatorCache } from './cel';
import { CsrSpec, csrRequestField } from './csr-builder';
import {
  decodeCsr, errorListText, evaluate, evaluateAllowed, evaluateConstraints, EvaluatorError, FieldError, formatGoDuration, goIpString, parseGoDuration,
  PolicyObject,
  PolicyWebhook, predicateReady, rbacAllows, rbacBound, RequestLike, review, selectorIssuerRef, selectorNamespace, validateAllowed,
  validateConstraints, validatePolicy, wildcardContains, wildcardMatches, wildcardSubset,
} from './model';

interface UpstreamCase {
  readonly source: string;
  readonly test: string;
  readonly level: string;
  readonly expected: any;
  readonly [key: string]: any;
}

const UPSTREAM: { tag: string; cases: UpstreamCase[] } = JSON.parse(fs.readFileSync(path.join(__dirname, 'upstream-cases.json'), 'utf8'));

/** A CertificateRequest from a case's request data (the CSR built for real, signed, PEM, base64). */
function toRequest(r: any): RequestLike {
  return {
    metadata: { name: r.name ?? '', namespace: r.namespace ?? '' },
    spec: {
      request: r.csr ? csrRequestField(r.csr as CsrSpec) : undefined,
      issuerRef: r.issuerRef,
      duration: r.duration ?? undefined,
      isCA: r.isCA ?? false,
      usages: r.usages,
      username: r.username ?? '',
      groups: r.groups,
    },
  };
}

/** The comparable shape of a field error (upstream's Required errors carry no value worth comparing). */
function shape(e: FieldError): any {
  return e.type === 'Required' ? { type: e.type, field: e.field, detail: e.detail } : { type: e.type, field: e.field, value: e.value, detail: e.detail };
}

function expectEvaluation(run: () => { result: string; message: string; errors?: FieldError[] }, expected: any): void {
  if (expected.error) {
    expect(run).toThrow(EvaluatorError);
    return;
  }
  const response = run();
  expect(response.result).toBe(expected.result);
  if ('message' in expected) expect(response.message).toBe(expected.message);
  if (expected.errors) expect((response.errors ?? []).map(shape)).toEqual(expected.errors);
  for (const s of expected.messageContains ?? []) expect(response.message).toContain(s);
}

function expectValidation(response: { allowed: boolean; errors: FieldError[] }, expected: any): void {
  expect(response.allowed).toBe(expected.allowed);
  expect(response.errors).toHaveLength(expected.errors.length);
  response.errors.forEach((got, i) => {
    const want = expected.errors[i];
    if (want.detailModelled === false) {
      // cel-go's ANTLR syntax-error text is not reproduced: same field, value, and a CEL syntax error
      expect({ type: got.type, field: got.field, value: got.value }).toEqual({ type: want.type, field: want.field, value: want.value });
      expect(got.detail).toMatch(/^ERROR: <input>.*Syntax error/);
    } else {
      expect(shape(got)).toEqual(want);
    }
  });
  if (expected.errors.every((e: any) => e.detailModelled !== false)) expect(errorListText(response.errors)).toBe(expected.message);
}

function fakeWebhook(spec: any): PolicyWebhook {
  return () => {
    if (spec.error) throw new Error(spec.error);
    return { allowed: spec.allowed, errors: spec.errors ?? [], warnings: spec.warnings };
  };
}

function runCase(c: UpstreamCase): void {
  switch (c.level) {
    case 'allowed':
      return expectEvaluation(() => evaluateAllowed(c.policy, toRequest(c.request), new ValidatorCache()), c.expected);
    case 'constraints':
      return expectEvaluation(() => evaluateConstraints(c.policy, toRequest(c.request)), c.expected);
    case 'csr-parse': {
      const csr = decodeCsr(toRequest(c.request).spec!.request);
      expect({ dnsNames: csr.dnsNames, ipAddresses: csr.ipAddresses, uris: csr.uris, emailAddresses: csr.emailAddresses }).toEqual(c.expected);
      return;
    }
    case 'validate-allowed':
      return expectValidation(validateAllowed(c.policy, new ValidatorCache()), c.expected);
    case 'validate-constraints':
      return expectValidation(validateConstraints(c.policy), c.expected);
    case 'webhook': {
      let error: string | null = null;
      let warnings: string[] = [];
      try {
        const result = validatePolicy(c.policy, c.registeredPlugins, c.webhooks.map(fakeWebhook));
        error = result.allowed ? null : result.message;
        warnings = result.warnings;
      } catch (err) {
        error = (err as Error).message;
      }
      expect(error).toBe(c.expected.error);
      expect(warnings).toEqual(c.expected.warnings ?? []);
      return;
    }
    case 'predicate-ready':
      expect(predicateReady({}, c.policies).map((p) => c.policies.indexOf(p))).toEqual(c.expected);
      return;
    case 'predicate-issuer-ref':
      expect(selectorIssuerRef({ spec: { issuerRef: c.request.issuerRef } }, c.policies).map((p) => c.policies.indexOf(p))).toEqual(c.expected);
      return;
    case 'predicate-namespace': {
      const run = () => selectorNamespace(c.objects)({ metadata: { namespace: c.request.namespace } }, c.policies);
      if (c.expected.error) expect(run).toThrow(EvaluatorError);
      else expect(run().map((p) => c.policies.indexOf(p))).toEqual(c.expected);
      return;
    }
    case 'predicate-rbac': {
      const request = { metadata: { namespace: c.request.namespace }, spec: { username: c.request.username, issuerRef: c.request.issuerRef } };
      expect(rbacBound(c.objects)(request, c.policies).map((p) => p.metadata?.name)).toEqual(c.expected);
      return;
    }
    case 'review':
      return runReviewCase(c);
    case 'cel-compile': {
      let compiles = true;
      try {
        compileRule(c.rule);
      } catch {
        compiles = false;
      }
      expect(compiles).toBe(c.expected.compiles);
      return;
    }
    case 'cel-validate': {
      const validator = compileRule(c.rule);
      if (c.expected.errorContains) expect(() => validator.validate(c.value, c.cr)).toThrow(c.expected.errorContains);
      else expect(validator.validate(c.value, c.cr)).toBe(c.expected.result);
      return;
    }
    case 'cel-expression':
      expect(evaluateExpression(c.expr, c.variables)).toEqual(c.expected);
      return;
    case 'sa-split':
      expect(splitServiceAccountUsername(c.username) ?? null).toEqual(c.expected);
      return;
    case 'cel-cache': {
      const cache = new ValidatorCache(c.size);
      const seen = new Map<string, unknown>();
      for (const step of c.steps) {
        let got: unknown;
        let failed = false;
        try {
          got = cache.get(step.get);
        } catch (err) {
          got = err;
          failed = true;
        }
        expect(failed).toBe(step.error);
        if (step.as) seen.set(step.as, got);
        if (step.same) expect(got).toBe(seen.get(step.same));
        if (step.notSame) expect(got).not.toBe(seen.get(step.notSame));
      }
      return;
    }
    case 'wildcard-subset':
      expect(wildcardSubset(c.patterns, c.texts)).toBe(c.expected);
      return;
    case 'wildcard-contains':
      expect(wildcardContains(c.patterns, c.text)).toBe(c.expected);
      return;
    case 'wildcard-matches':
      expect(wildcardMatches(c.pattern, c.text)).toBe(c.expected);
      return;
    default:
      throw new Error(`unknown case level ${c.level}`);
  }
}

function runReviewCase(c: UpstreamCase): void {
  const policies: PolicyObject[] = c.policies.map((p: any) => ({
    metadata: { name: p.name },
    spec: { selector: { issuerRef: {} } },
    status: p.ready ? { conditions: [{ type: 'Ready', status: 'True' }] } : undefined,
  }));
  let predicateCalled = false;
  let evaluatorCalled = false;
  const predicate = (_r: RequestLike, ps: PolicyObject[]) => {
    predicateCalled = true;
    if (c.predicate === 'error') throw new Error('this is an error');
    return c.predicate === 'none' ? [] : ps;
  };
  const evaluator = (p: PolicyObject) => {
    evaluatorCalled = true;
    const spec = c.evaluator.byPolicy?.[p.metadata!.name!] ?? c.evaluator.default;
    return { result: spec.result, message: spec.message };
  };
  const request = { metadata: { name: 'test-req' }, spec: { username: 'example', issuerRef: { name: 'test-name', kind: 'test-kind', group: 'test-group' } } };
  if (c.expected.error) {
    expect(() => review(request, policies, [predicate], [evaluator])).toThrow(EvaluatorError);
  } else {
    expect(review(request, policies, [predicate], [evaluator])).toEqual(c.expected);
  }
  if (c.predicate === 'must-not-be-called') expect(predicateCalled).toBe(false);
  if (c.evaluator === 'must-not-be-called') expect(evaluatorCalled).toBe(false);
}

describe(`approver-policy ${UPSTREAM.tag}: upstream unit-test cases`, () => {
  const sources = [...new Set(UPSTREAM.cases.map((c) => c.source))];
  for (const source of sources) {
    describe(source, () => {
      for (const c of UPSTREAM.cases.filter((x) => x.source === source)) {
        it(c.test, () => runCase(c));
      }
    });
  }
});

// =================================================================================================================
// Direct tests
// =================================================================================================================

const NS = 'istio-system';
const ISTIOD = serviceAccountIdentity(NS, 'istiod');

function cr(csr: CsrSpec, extra: Partial<CertificateRequestObject['spec']> = {}, namespace = NS): CertificateRequestObject {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'CertificateRequest',
    metadata: { name: 'req', namespace },
    spec: {
      request: csrRequestField(csr),
      issuerRef: { name: 'mesh-ca', kind: 'Issuer', group: 'cert-manager.io' },
      duration: '1h0m0s',
      usages: ['digital signature', 'key encipherment', 'server auth', 'client auth'],
      username: ISTIOD.username,
      groups: ISTIOD.groups,
      ...extra,
    },
  };
}

function policy(name: string, spec: PolicyObject['spec']): PolicyObject {
  return { apiVersion: 'policy.cert-manager.io/v1alpha1', kind: 'CertificateRequestPolicy', metadata: { name }, spec };
}

/** A Role in `ns` allowing `use` of the named policies, bound to the istiod service account. */
function useBinding(ns: string, ...policies: string[]): any[] {
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { namespace: ns, name: 'use-policies' },
      rules: [{ apiGroups: ['policy.cert-manager.io'], resources: ['certificaterequestpolicies'], verbs: ['use'], resourceNames: policies }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { namespace: ns, name: 'use-policies' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'use-policies' },
      subjects: [{ kind: 'ServiceAccount', name: 'istiod', namespace: ns }],
    },
  ];
}

const NAMESPACE = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: { tier: 'mesh' } } };
const ISTIO_CSR: CsrSpec = { subject: { organizations: [''] }, uris: ['spiffe://cluster.local/ns/payments/sa/api'] };
const MESH_ALLOWED = {
  uris: { values: ['spiffe://cluster.local/ns/*/sa/*'] },
  usages: ['digital signature', 'key encipherment', 'server auth', 'client auth'],
};

describe('Istio CSRs: an empty Organization (O="")', () => {
  it('is parsed as Go parses it: Organization == [""]', () => {
    const csr = decodeCsr(csrRequestField(ISTIO_CSR));
    expect(csr.subject.organization).toEqual(['']);
    expect(csr.subjectRdns).toEqual([[{ oid: '2.5.4.10', value: { kind: 'string', value: '' } }]]);
  });

  it('is denied by a policy without allowed.subject.organizations (evaluateSlice: a present attribute needs allowed values)', () => {
    const response = evaluateAllowed({ allowed: MESH_ALLOWED }, cr(ISTIO_CSR));
    expect(response.result).toBe('denied');
    expect(response.message).toBe('spec.allowed.subject.organizations: Invalid value: [""]: no allowed values');
  });

  it('is allowed by organizations values [""] or ["*"], not by [] (an empty pattern list matches nothing)', () => {
    for (const values of [[''], ['*']]) {
      expect(evaluateAllowed({ allowed: { ...MESH_ALLOWED, subject: { organizations: { values } } } }, cr(ISTIO_CSR)).result).toBe('notDenied');
    }
    const none = evaluateAllowed({ allowed: { ...MESH_ALLOWED, subject: { organizations: { values: [] } } } }, cr(ISTIO_CSR));
    expect(none.message).toBe('spec.allowed.subject.organizations.values: Invalid value: [""]'); // an empty detail is not printed
  });

  it('is denied end to end when the only bound policy does not allow it', () => {
    const objects = [NAMESPACE, policy('mesh', { selector: { issuerRef: { name: 'mesh-ca' } }, allowed: MESH_ALLOWED }), ...useBinding(NS, 'mesh')];
    const decision = evaluate(cr(ISTIO_CSR), objects);
    expect(decision.decision).toBe('denied');
    expect(decision.message).toBe('No policy approved this request: [mesh: spec.allowed.subject.organizations: Invalid value: [""]: no allowed values]');
    const fixed = [NAMESPACE, policy('mesh', {
      selector: { issuerRef: { name: 'mesh-ca' } }, allowed: { ...MESH_ALLOWED, subject: { organizations: { values: [''] } } },
    }), ...useBinding(NS, 'mesh')];
    expect(evaluate(cr(ISTIO_CSR), fixed)).toMatchObject({ decision: 'approved', policy: 'mesh', message: 'Approved by CertificateRequestPolicy: "mesh"' });
  });
});

describe('the wildcard and `required`', () => {
  it('`*` matches any run of characters, including "/" "." ":" "@" and none at all', () => {
    expect(wildcardMatches('spiffe://cluster.local/ns/*/sa/*', 'spiffe://cluster.local/ns/a/b/sa/c')).toBe(true);
    expect(wildcardMatches('*.example.com', 'a.b.example.com')).toBe(true);
    expect(wildcardMatches('*.example.com', 'example.com')).toBe(false);
    expect(wildcardMatches('foo*', 'foo')).toBe(true);
    expect(wildcardMatches('*', '')).toBe(true);
    expect(wildcardMatches('a?c', 'abc')).toBe(false); // '?' is a literal
  });

  it('`required` only demands presence: an absent attribute is then denied, and validations never run on absent values', () => {
    const spec = { allowed: { ...MESH_ALLOWED, subject: { organizations: { values: [''] } }, dnsNames: { required: true, validations: [{ rule: 'false' }] } } };
    expect(evaluateAllowed(spec, cr(ISTIO_CSR)).message).toBe('spec.allowed.dnsNames.required: Required value: true');
    const optional = { allowed: { ...spec.allowed, dnsNames: { required: false, validations: [{ rule: 'false' }] } } };
    expect(evaluateAllowed(optional, cr(ISTIO_CSR)).result).toBe('notDenied');
  });

  it('a CN or DNS name present in the CSR is denied by a policy that does not mention it', () => {
    const response = evaluateAllowed({ allowed: MESH_ALLOWED }, cr({ commonName: 'api', dnsNames: ['api.payments.svc'], uris: ISTIO_CSR.uris }));
    expect(response.message).toBe('[spec.allowed.commonName: Invalid value: "api": no allowed value, '
      + 'spec.allowed.dnsNames: Invalid value: ["api.payments.svc"]: no allowed values]');
  });
});

describe('selection, RBAC and the overall decision', () => {
  const allowed = { ...MESH_ALLOWED, subject: { organizations: { values: [''] } } };

  it('no policies -> unprocessed; policies but none bound -> unprocessed (the request is left alone, not denied)', () => {
    expect(evaluate(cr(ISTIO_CSR), [NAMESPACE])).toMatchObject({ decision: 'unprocessed', message: 'No CertificateRequestPolicies exist' });
    const unbound = evaluate(cr(ISTIO_CSR), [NAMESPACE, policy('mesh', { selector: { issuerRef: {} }, allowed })]);
    expect(unbound).toMatchObject({ decision: 'unprocessed', message: 'No CertificateRequestPolicies bound or applicable' });
  });

  it('one approving policy among denying ones approves; all denying -> denied with every reason, sorted by policy name', () => {
    const objects = [NAMESPACE, ...useBinding(NS, 'a-deny', 'b-approve', 'c-deny'),
      policy('c-deny', { selector: { issuerRef: {} }, allowed: { ...allowed, uris: { values: ['spiffe://other/*'] } } }),
      policy('b-approve', { selector: { issuerRef: {} }, allowed }),
      policy('a-deny', { selector: { issuerRef: {} }, constraints: { maxDuration: '30m' } })];
    expect(evaluate(cr(ISTIO_CSR), objects)).toMatchObject({ decision: 'approved', policy: 'b-approve', approvedBy: ['b-approve'] });
    const denying = objects.filter((o) => o.metadata?.name !== 'b-approve');
    const decision = evaluate(cr(ISTIO_CSR), denying);
    expect(decision.decision).toBe('denied');
    expect(decision.message).toBe('No policy approved this request: '
      + '[a-deny: [spec.allowed.uris: Invalid value: ["spiffe://cluster.local/ns/payments/sa/api"]: no allowed values, '
      + 'spec.allowed.usages: Invalid value: ["digital signature","key encipherment","server auth","client auth"]: nil, '
      + 'spec.allowed.subject.organizations: Invalid value: [""]: no allowed values], spec.constraints.maxDuration: Invalid value: "1h0m0s": 30m0s] '
      + '[c-deny: spec.allowed.uris.values: Invalid value: ["spiffe://cluster.local/ns/payments/sa/api"]: spiffe://other/*]');
  });

  it('issuerRef and namespace selectors: defaults, wildcards, matchLabels (incl. kubernetes.io/metadata.name), a missing Namespace', () => {
    const bound = useBinding(NS, 'p');
    const withSelector = (selector: PolicyObject['spec']['selector']) => [NAMESPACE, ...bound, policy('p', { selector, allowed })];
    const request = cr(ISTIO_CSR, { issuerRef: { name: 'mesh-ca' } });
    expect(evaluate(request, withSelector({ issuerRef: { name: 'mesh-*', kind: 'Issuer', group: 'cert-manager.io' } })).decision).toBe('approved');
    expect(evaluate(request, withSelector({ issuerRef: { kind: 'ClusterIssuer' } })).decision).toBe('unprocessed');
    expect(evaluate(request, withSelector({ namespace: { matchLabels: { tier: 'mesh' } } })).decision).toBe('approved');
    expect(evaluate(request, withSelector({ namespace: { matchLabels: { 'kubernetes.io/metadata.name': NS } } })).decision).toBe('approved');
    expect(evaluate(request, withSelector({ namespace: { matchNames: ['istio-*'], matchLabels: { tier: 'apps' } } })).decision).toBe('unprocessed');
    const missing = evaluate(request, [...bound, policy('p', { selector: { namespace: { matchLabels: { tier: 'mesh' } } }, allowed })]);
    expect(missing.decision).toBe('error');
    expect(missing.message).toContain('failed to get request\'s namespace to determine namespace selector');
  });

  it('RBAC: ServiceAccount, Group and User subjects; ClusterRoleBindings; aggregated ClusterRoles; resourceNames; system:masters', () => {
    const attrs = {
      user: ISTIOD.username,
      groups: ISTIOD.groups,
      verb: 'use',
      apiGroup: 'policy.cert-manager.io',
      resource: 'certificaterequestpolicies',
      name: 'p',
      namespace: NS,
    };
    expect(rbacAllows(useBinding(NS, 'p'), attrs)).toBe(true);
    expect(rbacAllows(useBinding(NS, 'q'), attrs)).toBe(false);
    expect(rbacAllows(useBinding('other', 'p'), attrs)).toBe(false);
    const aggregated = [
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'agg' },
        aggregationRule: { clusterRoleSelectors: [{ matchLabels: { 'policy-use': 'true' } }] },
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'part', labels: { 'policy-use': 'true' } },
        rules: [{ apiGroups: ['policy.cert-manager.io'], resources: ['*'], verbs: ['*'] }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'agg' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'agg' },
        subjects: [{ kind: 'Group', name: 'system:serviceaccounts:istio-system', apiGroup: 'rbac.authorization.k8s.io' }],
      },
    ];
    expect(rbacAllows(aggregated, attrs)).toBe(true);
    expect(rbacAllows(aggregated, { ...attrs, groups: [] })).toBe(false);
    expect(rbacAllows([], { ...attrs, groups: ['system:masters'] })).toBe(true);
    // a ServiceAccount subject without a namespace in a ClusterRoleBinding matches nobody
    const crb = [{ ...aggregated[2], subjects: [{ kind: 'ServiceAccount', name: 'istiod' }] }, aggregated[0], aggregated[1]];
    expect(rbacAllows(crb, attrs)).toBe(false);
  });

  it('a policy the admission webhook would reject cannot exist: evaluate() refuses it', () => {
    expect(() => evaluate(cr(ISTIO_CSR), [NAMESPACE, policy('p', { selector: {}, allowed })]))
      .toThrow('spec.selector: Required value: one of issuerRef or namespace must be defined, hint: `{}` on either matches everything');
    expect(() => evaluate(cr(ISTIO_CSR), [NAMESPACE, policy('p', { selector: { issuerRef: {} }, allowed: { dnsNames: { validations: [{ rule: 'self' }] } } })]))
      .toThrow('spec.allowed.dnsNames.validations[0]: Invalid value: "self": got string, wanted bool result type');
  });

  it('stored readiness: a policy without a Ready condition defers a denial; Ready=False is not evaluated', () => {
    const objects = [NAMESPACE, ...useBinding(NS, 'p'), policy('p', { selector: { issuerRef: {} }, allowed: MESH_ALLOWED })];
    expect(evaluate(cr(ISTIO_CSR), objects, { readiness: 'stored' })).toMatchObject({ decision: 'unprocessed' });
    const notReady = objects.map((o) => (o.kind === 'CertificateRequestPolicy' ? { ...o, status: { conditions: [{ type: 'Ready', status: 'False' }] } } : o));
    expect(evaluate(cr(ISTIO_CSR), notReady, { readiness: 'stored' }).message).toBe('No CertificateRequestPolicies bound or applicable');
  });
});

describe('the CEL environment of validations', () => {
  const request = { name: 'req', namespace: 'payments', username: 'system:serviceaccount:payments:api', groups: [] };

  it('binds self (the attribute value) and cr (name, namespace, username, groups), with ext.Strings and the ServiceAccount library', () => {
    expect(compileRule('self.split(\'/\')[4] == cr.namespace').validate('spiffe://cluster.local/ns/payments/sa/api', request)).toBe(true);
    expect(compileRule('self.endsWith(\'/sa/\' + serviceAccount(cr.username).getName())').validate('spiffe://cluster.local/ns/payments/sa/api', request))
      .toBe(true);
    expect(compileRule('strings.quote(self) != \'\'').validate('x', request)).toBe(true);
  });

  it('rejects at compile time what cel-go rejects: unknown fields, non-bool results, type mismatches', () => {
    expect(() => compileRule('cr.uid == \'x\'')).toThrow('undefined field \'uid\'');
    expect(() => compileRule('self.size()')).toThrow('got int, wanted bool result type');
    expect(() => compileRule('self == 1')).toThrow('found no matching overload for \'_==_\' applied to \'(string, int)\'');
  });
});

describe('Go formatting the messages depend on', () => {
  it('durations (time.ParseDuration / Duration.String)', () => {
    expect(formatGoDuration(parseGoDuration('2160h'))).toBe('2160h0m0s');
    expect(formatGoDuration(parseGoDuration('90m'))).toBe('1h30m0s');
    expect(formatGoDuration(parseGoDuration('1.5s'))).toBe('1.5s');
    expect(formatGoDuration(parseGoDuration('-2m'))).toBe('-2m0s');
    expect(formatGoDuration(parseGoDuration('300ms'))).toBe('300ms');
    expect(formatGoDuration(parseGoDuration('0'))).toBe('0s');
    expect(() => parseGoDuration('1d')).toThrow('time: invalid duration "1d"');
  });

  it('IP addresses (net.IP.String)', () => {
    expect(goIpString(Uint8Array.from([10, 0, 0, 1]))).toBe('10.0.0.1');
    expect(goIpString(Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]))).toBe('2001:db8::1');
    expect(goIpString(Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 168, 0, 1]))).toBe('192.168.0.1');
    expect(goIpString(new Uint8Array(16))).toBe('::');
  });

  it('the IP SANs of a CSR are evaluated in that form', () => {
    const response = evaluateAllowed({ allowed: { ipAddresses: { values: ['2001:db8::1'] } } }, cr({ ipAddresses: ['2001:db8:0:0:0:0:0:1'] }, { usages: [] }));
    expect(response.result).toBe('notDenied');
  });
});
