import { ConsistencyFindingKind, ConsistencyRule } from '../consistency-rule';
import { describeObject, goDurationSeconds, OutputIndex } from '../output-index';
import { durationProblems, keyProblems, refusedByEvery, requestedKey } from './request-checks';

const CSI_DRIVER = 'csi.cert-manager.io';
const SPIFFE_DRIVER = 'spiffe.csi.cert-manager.io';
const POLICY = ['policy.cert-manager.io', 'certificaterequestpolicies'] as const;

/** The Vault Issuer named `name` in `namespace`, with its Vault role and the policies selecting it. */
function vaultIssuer(index: OutputIndex, namespace: string, name: string) {
  const issuer = index.object('cert-manager.io/v1', 'Issuer', namespace, name);
  if (!issuer?.spec?.vault) return undefined;
  return { issuer, role: index.roleOfIssuer(issuer), policies: index.policiesSelecting(namespace, name) };
}

/** Whether `value` is allowed by one of approver-policy's patterns (`*` matches any run of characters). */
function allowedBy(patterns: string[], value: string): boolean {
  return patterns.some((p) => new RegExp(`^${p.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(value));
}

/** Every csi volume of a workload for `driver`, with its attributes. */
function csiVolumes(pod: any, driver: string): { name: string; readOnly: boolean; attributes: Record<string, string> }[] {
  return (pod.volumes ?? []).filter((v: any) => v?.csi?.driver === driver)
    .map((v: any) => ({ name: v.name, readOnly: v.csi.readOnly === true, attributes: v.csi.volumeAttributes ?? {} }));
}

const SPIFFE_PATTERN = /^spiffe:\/\/[a-z0-9]([a-z0-9._-]*[a-z0-9])?\/ns\/[a-z0-9]([-a-z0-9]*[a-z0-9])?\/sa\/([a-z0-9]([-.a-z0-9]*[a-z0-9])?|\*)$/;

export const MESH_RULES: ConsistencyRule[] = [
  {
    id: ConsistencyFindingKind.CSI_VOLUME,
    description: "Every csi-driver volume names an Issuer of its pod's namespace, asks for a duration and key its policy and Vault role accept, " +
      "and csi-driver's service account may use that policy",
    check(index, report) {
      for (const w of index.workloads()) {
        for (const volume of csiVolumes(w.pod, CSI_DRIVER)) {
          const object = `${describeObject(w.object)} volume ${volume.name}`;
          const a = (k: string) => volume.attributes[`csi.cert-manager.io/${k}`];
          if ((a('issuer-kind') ?? 'Issuer') !== 'Issuer' || (a('issuer-group') ?? 'cert-manager.io') !== 'cert-manager.io') continue;
          const issuerFound = vaultIssuer(index, w.namespace, a('issuer-name'));
          // What approver-policy judges csi-driver's requests by: the policies its account may use.
          const found = issuerFound && { ...issuerFound, policies: index.policiesUsableBy(index.csiDriverServiceAccount, w.namespace, a('issuer-name')) };
          if (!found) {
            report(object, `Issuer '${a('issuer-name')}' does not exist in namespace '${w.namespace}' (csi-driver requests in the pod's namespace)`);
            continue;
          }
          // The driver's default duration is 2160h (csi-driver v0.16.0 pkg/apis/defaults: cert-manager's DefaultCertificateDuration).
          const duration = a('duration') === undefined ? 2160 * 3600 : goDurationSeconds(a('duration'));
          if (duration !== undefined) {
            for (const problem of durationProblems(index, duration, a('duration') ?? '2160h (the driver\'s default)', found.policies, found.role)) {
              report(object, problem);
            }
          }
          // The driver's defaults when the volume leaves them out: RSA 2048 (csi-driver v0.16.0 pkg/apis/defaults).
          for (const problem of keyProblems(index, requestedKey(a('key-algorithm'), a('key-size')), found.policies, found.role)) report(object, problem);
          for (const name of (a('dns-names') ?? '').split(',').filter(Boolean)) {
            refusedByEvery(found.policies, (policy) => (allowedBy(policy.spec?.allowed?.dnsNames?.values ?? [], name) ? undefined
              : `DNS name '${name}' is not allowed by CertificateRequestPolicy '${policy.metadata?.name}'`)).forEach((p) => report(object, p));
          }
          if (found.policies.length === 0) {
            report(object, `csi-driver creates the requests with service account ${index.csiDriverServiceAccount}, which may not 'use' any ` +
              `CertificateRequestPolicy of Issuer '${a('issuer-name')}' in '${w.namespace}': approver-policy would leave them unapproved`);
          }
        }
      }
    },
  },
  {
    id: ConsistencyFindingKind.SPIFFE_VOLUME,
    description: "Every csi-driver-spiffe volume's pod service account may create requests and use a policy that allows its own SPIFFE ID, " +
      'which the Vault role allows too',
    check(index, report) {
      for (const w of index.workloads()) {
        if (csiVolumes(w.pod, SPIFFE_DRIVER).length === 0) continue;
        const object = describeObject(w.object);
        const sa = { namespace: w.namespace, name: w.pod.serviceAccountName ?? 'default' };
        if (!index.mayDo(sa, w.namespace, 'cert-manager.io', 'certificaterequests', 'create')) {
          report(object, `service account '${sa.name}' may not create CertificateRequests in '${w.namespace}' (csi-driver-spiffe requests with the pod's token)`);
        }
        const policies = index.objects('policy.cert-manager.io/v1alpha1', 'CertificateRequestPolicy')
          .filter((p) => index.mayDo(sa, w.namespace, POLICY[0], POLICY[1], 'use', p.metadata?.name));
        const id = new RegExp(`^spiffe://[^/]+/ns/${w.namespace}/sa/${sa.name}$`);
        const allowing = policies.filter((p) => (p.spec?.allowed?.uris?.values ?? []).some((u: string) => id.test(u)));
        if (allowing.length === 0) {
          report(object, `no CertificateRequestPolicy that service account '${sa.name}' may use allows its own SPIFFE ID (spiffe://<td>/ns/${w.namespace}/sa/${sa.name})`);
          continue;
        }
        for (const policy of allowing) {
          const issuerName = policy.spec?.selector?.issuerRef?.name;
          const role = issuerName !== undefined ? vaultIssuer(index, w.namespace, issuerName)?.role : undefined;
          const uris: string[] = role ? (role.body.allowed_uri_sans ?? []) : [];
          if (role && !uris.some((u) => id.test(u))) {
            report(object, `Vault role '${role.body.name}' of Issuer '${issuerName}' does not allow the SPIFFE ID of service account '${sa.name}'`);
          }
        }
      }
    },
  },
  {
    id: ConsistencyFindingKind.URI_PATTERNS,
    description: "Every URI SAN a policy of a Vault Issuer allows, its Vault role allows too, each an exact SPIFFE ID or a namespace's " +
      "'/sa/*' guarded by a one-segment rule (\"*\" crosses \"/\" in Vault and approver-policy)",
    check(index, report) {
      for (const issuer of index.objects('cert-manager.io/v1', 'Issuer').filter((i) => i.spec?.vault)) {
        const namespace = issuer.metadata?.namespace ?? '';
        const role = index.roleOfIssuer(issuer);
        const vault: string[] = role ? [...(role.body.allowed_uri_sans ?? [])] : [];
        for (const pattern of vault.filter((p) => p.includes('*') && !SPIFFE_PATTERN.test(p))) {
          report(`VaultRole ${role!.body.name}`, `URI pattern '${pattern}' has a '*' that can cross '/' (go-glob in Vault): allow exact SPIFFE IDs, ` +
            "or a namespace's 'spiffe://<td>/ns/<ns>/sa/*' with a one-segment rule in the policies");
        }
        for (const policy of index.policiesSelecting(namespace, issuer.metadata?.name)) {
          const object = describeObject(policy);
          const uris = policy.spec?.allowed?.uris;
          const allowed: string[] = [...(uris?.values ?? [])];
          for (const value of allowed) {
            // Vault's role must sign every identity the policy approves: an exact ID under one of its patterns, a pattern as it is.
            const signed = value.includes('*') ? vault.includes(value) : vault.some((v) => allowedBy([v], value));
            if (role && !signed) report(object, `allows URI SAN '${value}', which Vault role '${role.body.name}' does not allow (its allowed_uri_sans: ${vault.join(', ') || 'none'})`);
            if (value.includes('*') && !SPIFFE_PATTERN.test(value)) {
              report(object, `URI pattern '${value}' has a '*' that can cross '/' (approver-policy's wildcard): allow exact SPIFFE IDs, ` +
                "or a namespace's 'spiffe://<td>/ns/<ns>/sa/*' with a one-segment rule");
            }
          }
          const guarded = (uris?.validations ?? []).some((v: any) => typeof v.rule === 'string' && v.rule.includes("self.matches('^spiffe://"));
          if (allowed.some((p) => p.includes('*')) && !guarded) {
            report(object, "allows URI patterns with '*' but has no validation rule admitting one path segment (self.matches('^spiffe://...$'))");
          }
        }
      }
    },
  },
  {
    id: ConsistencyFindingKind.POLICY_IDENTITY,
    description: 'Every CertificateRequestPolicy that allows URI SANs (identities) binds them to one requester: a cr.username rule naming it, ' +
      'and no other identity granted its use',
    check(index, report) {
      for (const policy of index.objects('policy.cert-manager.io/v1alpha1', 'CertificateRequestPolicy')) {
        const uris = policy.spec?.allowed?.uris;
        if ((uris?.values ?? []).length === 0 && (uris?.validations ?? []).length === 0) continue;
        const object = describeObject(policy);
        const bound = (uris?.validations ?? []).map((v: any) => /^cr\.username == 'system:serviceaccount:([^:']+):([^:']+)'$/.exec(String(v.rule ?? '')))
          .filter((m: RegExpExecArray | null): m is RegExpExecArray => m !== null);
        if (bound.length !== 1) {
          report(object, 'allows URI SANs without a validation binding them to the one requester meant to ask for them ' +
            "(cr.username == 'system:serviceaccount:<namespace>:<name>'): anyone who may use the policy could obtain those identities");
          continue;
        }
        const [, saNamespace, saName] = bound[0];
        const namespaces: string[] = policy.spec?.selector?.namespace?.matchNames ?? [];
        for (const subject of index.policyUsers(policy.metadata?.name, namespaces)) {
          if (subject !== `ServiceAccount ${saNamespace}/${saName}`) {
            report(object, `${subject} may use it, but its identities are bound to ServiceAccount ${saNamespace}/${saName}: grant its use to that account alone`);
          }
        }
      }
    },
  },
  {
    id: ConsistencyFindingKind.IS_CA,
    description: 'No CertificateRequestPolicy allows isCA, and no Certificate or csi-driver volume asks for a CA',
    check(index, report) {
      for (const policy of index.objects('policy.cert-manager.io/v1alpha1', 'CertificateRequestPolicy')) {
        if (policy.spec?.allowed?.isCA === true) {
          report(describeObject(policy), 'allows isCA: a workload could issue itself a CA (the intermediates\' path length 0 would still refuse its ' +
            'leaves, but the CA certificate itself is issued); set allowed.isCA to false');
        }
      }
      for (const certificate of index.objects('cert-manager.io/v1', 'Certificate')) {
        if (certificate.spec?.isCA === true) report(describeObject(certificate), 'asks for a CA (isCA: true); leaves only: remove isCA');
      }
      for (const w of index.workloads()) {
        for (const volume of csiVolumes(w.pod, CSI_DRIVER).filter((v) => v.attributes['csi.cert-manager.io/is-ca'] === 'true')) {
          report(`${describeObject(w.object)} volume ${volume.name}`, "asks for a CA (csi.cert-manager.io/is-ca: 'true'); leaves only: remove it");
        }
      }
    },
  },
];
