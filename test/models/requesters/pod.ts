// What the kubelet hands a CSI driver when it publishes an inline (ephemeral) volume of a pod: the volume context
// (the volume's attributes plus the pod's name, namespace, uid and service account with `podInfoOnMount`, and the
// service account tokens with `tokenRequests`) and the volume handle. csi-driver and csi-driver-spiffe build their
// CertificateRequests from exactly this (csi-lib v0.12.0 metadata/metadata.go, manager/util/tokenrequest.go).
import { createHash } from 'crypto';

/** A pod as the API server holds it, reduced to what a CSI driver sees. */
export interface PodIdentity {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
  readonly serviceAccountName: string;
  readonly nodeName: string;
}

/** Options of {@link podFromWorkload}. */
export interface PodOptions {
  /** @default `<workload>-<hash>-<suffix>` */
  readonly name?: string;
  /** @default a UUID derived from the name */
  readonly uid?: string;
  /** @default 'node-1' */
  readonly nodeName?: string;
  /** Runs the pod as another service account (a hostile variant). */
  readonly serviceAccountName?: string;
}

/** A deterministic RFC 4122-shaped UUID from `seed`. */
export function uuidFrom(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * One pod of a workload (a Deployment, StatefulSet, DaemonSet, Job or a Pod itself, as the library synthesizes it):
 * its template's spec in the workload's namespace, named as the controllers name pods.
 */
export function podFromWorkload(workload: any, options: PodOptions = {}): any {
  const template = workload.kind === 'Pod' ? workload : workload.spec?.template ?? workload.spec?.jobTemplate?.spec?.template;
  if (!template?.spec) throw new Error(`${workload.kind}/${workload.metadata?.name} has no pod template`);
  const namespace = workload.metadata?.namespace ?? 'default';
  const name = options.name ?? (workload.kind === 'Pod' ? workload.metadata.name : `${workload.metadata.name}-7c9f8d6b54-x2k9q`);
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, uid: options.uid ?? workload.metadata?.uid ?? uuidFrom(`${namespace}/${name}`), labels: template.metadata?.labels },
    spec: {
      ...template.spec,
      serviceAccountName: options.serviceAccountName ?? template.spec.serviceAccountName ?? 'default',
      nodeName: options.nodeName ?? template.spec.nodeName ?? 'node-1',
    },
  };
}

/** Name, namespace, uid, service account and node of a Pod object. */
export function podIdentity(pod: any): PodIdentity {
  return {
    name: pod.metadata.name,
    namespace: pod.metadata.namespace ?? 'default',
    uid: pod.metadata.uid,
    serviceAccountName: pod.spec.serviceAccountName ?? 'default',
    nodeName: pod.spec.nodeName ?? 'node-1',
  };
}

/** A pod's volume by name, or the volume itself when given an object. */
export function podVolume(pod: any, volume: any): any {
  if (typeof volume !== 'string') return volume;
  const found = (pod.spec.volumes ?? []).find((v: any) => v.name === volume);
  if (!found) throw new Error(`pod ${pod.metadata.namespace}/${pod.metadata.name} has no volume '${volume}'`);
  return found;
}

/**
 * The volume handle the kubelet gives an inline CSI volume: `csi-<sha256(podUID + volume name)>` (kubernetes
 * pkg/volume/csi/csi_mounter.go `makeVolumeHandle`; csi-lib uses it as the volume ID).
 */
export function volumeHandle(podUid: string, volumeName: string): string {
  return `csi-${createHash('sha256').update(`${podUid}${volumeName}`).digest('hex')}`;
}

/**
 * A bound service account token as the kubelet requests it for a CSIDriver's `tokenRequests` (audience ""): a JWT
 * whose `kubernetes.io` claim names the pod's namespace, service account and pod. The signature is a placeholder:
 * the drivers read the claims without verifying (csi-driver-spiffe v0.15.0 driver.go `UnsafeClaimsWithoutVerification`)
 * and the API server authenticates the token; the model takes the token's claims as the identity.
 */
export function serviceAccountToken(pod: PodIdentity): string {
  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const claims = {
    'aud': [''],
    'sub': `system:serviceaccount:${pod.namespace}:${pod.serviceAccountName}`,
    'kubernetes.io': {
      namespace: pod.namespace,
      pod: { name: pod.name, uid: pod.uid },
      serviceaccount: { name: pod.serviceAccountName, uid: uuidFrom(`sa/${pod.namespace}/${pod.serviceAccountName}`) },
      node: { name: pod.nodeName },
    },
  };
  return `${b64({ alg: 'RS256', kid: 'model' })}.${b64(claims)}.${Buffer.from('model-signature').toString('base64url')}`;
}

/** The claims csi-driver-spiffe reads from a token: namespace and service account name. */
export function tokenClaims(token: string): { namespace: string; serviceAccount: string } {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8'));
  return { namespace: payload['kubernetes.io']?.namespace ?? '', serviceAccount: payload['kubernetes.io']?.serviceaccount?.name ?? '' };
}

/** How a CSIDriver object asks the kubelet for pod information (its spec). */
export interface CsiDriverSpec {
  readonly podInfoOnMount: boolean;
  /** `tokenRequests: [{ audience: "" }]`. */
  readonly emptyAudienceToken: boolean;
}

/**
 * The volume context the kubelet passes on NodePublishVolume: the volume's attributes, plus with `podInfoOnMount`
 * `csi.storage.k8s.io/pod.name`, `pod.namespace`, `pod.uid`, `serviceAccount.name` and `ephemeral: "true"`, plus with
 * an empty-audience token request `csi.storage.k8s.io/serviceAccount.tokens` (`{"": {"token": ..., ...}}`).
 */
export function csiVolumeContext(pod: PodIdentity, volume: any, driver: CsiDriverSpec): Record<string, string> {
  const context: Record<string, string> = { ...(volume.csi?.volumeAttributes ?? {}) };
  if (driver.podInfoOnMount) {
    context['csi.storage.k8s.io/pod.name'] = pod.name;
    context['csi.storage.k8s.io/pod.namespace'] = pod.namespace;
    context['csi.storage.k8s.io/pod.uid'] = pod.uid;
    context['csi.storage.k8s.io/serviceAccount.name'] = pod.serviceAccountName;
    context['csi.storage.k8s.io/ephemeral'] = 'true';
  }
  if (driver.emptyAudienceToken) {
    context['csi.storage.k8s.io/serviceAccount.tokens'] = JSON.stringify({
      '': { token: serviceAccountToken(pod), expirationTimestamp: '2026-11-24T13:00:00Z' },
    });
  }
  return context;
}

/**
 * csi-lib's label value for a node or volume ID (v0.12.0 internal/api/util/hash.go `HashIdentifier`): FNV-1 32-bit of
 * the ID, printed in decimal, each digit mapped onto apimachinery's `rand.SafeEncodeString` alphabet.
 */
export function hashIdentifier(id: string): string {
  const MOD = 2n ** 32n;
  let hash = 0x811c9dc5n;
  for (const byte of Buffer.from(id, 'utf8')) {
    hash = (hash * 0x01000193n) % MOD;
    // hash ^= byte: only the low byte changes; XOR of two bytes digit by digit in base 2.
    const low = Number(hash % 256n);
    let xored = 0;
    for (let bit = 128; bit >= 1; bit /= 2) {
      if ((Math.floor(low / bit) % 2) !== (Math.floor(byte / bit) % 2)) xored += bit;
    }
    hash = hash - BigInt(low) + BigInt(xored);
  }
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return Array.from(String(hash), (c) => alphabet[c.charCodeAt(0) % alphabet.length]).join('');
}

/** The labels csi-lib puts on every CertificateRequest (v0.12.0 manager/manager.go `submitRequest`). */
export function csiLibLabels(nodeId: string, volumeId: string): Record<string, string> {
  return {
    'csi.cert-manager.io/node-id-hash': hashIdentifier(nodeId),
    'csi.cert-manager.io/volume-id-hash': hashIdentifier(volumeId),
  };
}
