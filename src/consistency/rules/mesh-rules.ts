import { ConsistencyFindingKind, ConsistencyRule } from '../consistency-rule';
import { describeObject, goDurationSeconds, OutputIndex } from '../output-index';
import { durationProblems, keyProblems, requestedKey } from './request-checks';

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
      const [saNamespace, saName] = index.csiDriverServiceAccount.split('/');
      for (const w of index.workloads()) {
        for (const volume of csiVolumes(w.pod, CSI_DRIVER)) {
          const object = `${describeObject(w.object)} volume ${volume.name}`;
          const a = (k: string) => volume.attributes[`csi.cert-manager.io/${k}`];
          if ((a('issuer-kind') ?? 'Issuer') !== 'Issuer' || (a('issuer-group') ?? 'cert-manager.io') !== 'cert-manager.io') continue;
          const found = vaultIssuer(index, w.namespace, a('issuer-name'));
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
          if (found.policies.length === 0) report(object, `no CertificateRequestPolicy selects Issuer '${a('issuer-name')}' in '${w.namespace}'`);
          for (const policy of found.policies) {
            for (const name of (a('dns-names') ?? '').split(',').filter(Boolean)) {
              if (!allowedBy(policy.spec?.allowed?.dnsNames?.values ?? [], name)) {
                report(object, `DNS name '${name}' is not allowed by CertificateRequestPolicy '${policy.metadata?.name}'`);
              }
            }
          }
          const usable = found.policies.some((p: any) => index.mayDo({ namespace: saNamespace, name: saName }, w.namespace, POLICY[0], POLICY[1], 'use', p.metadata?.name));
          if (found.policies.length > 0 && !usable) {
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
    description: "Every Vault Issuer's role and policy allow the same URI SANs, each an exact SPIFFE ID or a namespace's '/sa/*' " +
      'guarded by a one-segment rule ("*" crosses "/" in Vault and approver-policy)',
    check(index, report) {
      for (const issuer of index.objects('cert-manager.io/v1', 'Issuer').filter((i) => i.spec?.vault)) {
        const namespace = issuer.metadata?.namespace ?? '';
        const role = index.roleOfIssuer(issuer);
        const vault: string[] = role ? [...(role.body.allowed_uri_sans ?? [])] : [];
        for (const policy of index.policiesSelecting(namespace, issuer.metadata?.name)) {
          const object = describeObject(policy);
          const uris = policy.spec?.allowed?.uris;
          const allowed: string[] = [...(uris?.values ?? [])];
          if (role && JSON.stringify([...vault].sort()) !== JSON.stringify([...allowed].sort())) {
            report(object, `allows URI SANs [${allowed.join(', ')}] but Vault role '${role.body.name}' allows [${vault.join(', ')}]: keep them equal`);
          }
          for (const pattern of new Set([...vault, ...allowed])) {
            if (pattern.includes('*') && !SPIFFE_PATTERN.test(pattern)) {
              report(object, `URI pattern '${pattern}' has a '*' that can cross '/' (go-glob in Vault, approver-policy's wildcard): ` +
                "allow exact SPIFFE IDs, or a namespace's 'spiffe://<td>/ns/<ns>/sa/*' with a one-segment rule");
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
];
