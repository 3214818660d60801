// The pod volumes the library emits for cert-manager csi-driver (v0.16.0) and csi-driver-spiffe (v0.15.0), checked the
// way the drivers check them when a pod mounts the volume: the attribute keys the driver knows (upstream/crds/
// csi.cert-manager.io_volumeAttributes.txt, extracted from csi-driver's source), readOnly, and the values its validation
// (pkg/apis/validation/validation.go) refuses. Workload kinds themselves (Deployment, Pod, ...) have no vendored schema.
import { readFileSync } from 'fs';
import { join } from 'path';

/** Workload kinds whose pod template this checks (their own schemas are not vendored: reported as notes). */
export const WORKLOAD_KINDS = new Set(['apps/v1 Deployment', 'apps/v1 StatefulSet', 'apps/v1 DaemonSet', 'v1 Pod', 'batch/v1 Job', 'batch/v1 CronJob']);

const SPIFFE_ATTRIBUTES = new Set(['spiffe.csi.cert-manager.io/fs-group']);
const GO_DURATION = /^((\d+(\.\d+)?)(ns|us|µs|ms|s|m|h))+$/;
const USAGES = new Set(['signing', 'digital signature', 'content commitment', 'key encipherment', 'key agreement', 'data encipherment',
  'cert sign', 'crl sign', 'encipher only', 'decipher only', 'any', 'server auth', 'client auth', 'code signing', 'email protection',
  's/mime', 'ipsec end system', 'ipsec tunnel', 'ipsec user', 'timestamping', 'ocsp signing', 'microsoft sgc', 'netscape sgc']);

/** The attribute keys csi-driver knows, from the vendored list. */
function csiDriverAttributes(): Set<string> {
  const text = readFileSync(join(__dirname, '..', 'upstream', 'crds', 'csi.cert-manager.io_volumeAttributes.txt'), 'utf8');
  return new Set(text.split('\n').filter((l) => l.startsWith('csi.cert-manager.io/')).map((l) => l.split(/\s+/)[0]));
}

/** The pod spec of a workload object. */
function podSpec(object: any): any {
  if (object.kind === 'Pod') return object.spec;
  if (object.kind === 'CronJob') return object.spec?.jobTemplate?.spec?.template?.spec;
  return object.spec?.template?.spec;
}

/** Problems of the csi-driver and csi-driver-spiffe volumes of one workload object, as `.spec...: problem` lines. */
export function csiVolumeProblems(object: any): string[] {
  const known = csiDriverAttributes();
  const problems: string[] = [];
  for (const [i, volume] of (podSpec(object)?.volumes ?? []).entries()) {
    const csi = volume?.csi;
    if (!csi) continue;
    const at = `volumes[${i}] (${volume.name})`;
    const attributes: Record<string, unknown> = csi.volumeAttributes ?? {};
    if (csi.driver === 'csi.cert-manager.io' || csi.driver === 'spiffe.csi.cert-manager.io') {
      // csi-lib v0.12.0 driver/nodeserver.go: "pod.spec.volumes[].csi.readOnly must be set to 'true'".
      if (csi.readOnly !== true) problems.push(`${at}: readOnly must be true (the driver refuses writable volumes)`);
    }
    for (const [key, value] of Object.entries(attributes)) {
      if (typeof value !== 'string') problems.push(`${at}: attribute ${key} must be a string`);
    }
    if (csi.driver === 'csi.cert-manager.io') {
      for (const key of Object.keys(attributes)) {
        if (key.startsWith('csi.cert-manager.io/') && !known.has(key)) problems.push(`${at}: unknown csi-driver attribute ${key}`);
      }
      const a = (k: string) => attributes[`csi.cert-manager.io/${k}`] as string | undefined;
      if (!a('issuer-name')) problems.push(`${at}: csi.cert-manager.io/issuer-name is required`);
      if (a('duration') === undefined) problems.push(`${at}: no csi.cert-manager.io/duration: the driver would request 2160h (its default)`);
      for (const k of ['duration', 'renew-before']) {
        if (a(k) !== undefined && !GO_DURATION.test(a(k)!)) problems.push(`${at}: csi.cert-manager.io/${k} (${a(k)}) is not a Go duration`);
      }
      for (const k of ['is-ca', 'reuse-private-key']) {
        if (a(k) !== undefined && !['true', 'false'].includes(a(k)!)) problems.push(`${at}: csi.cert-manager.io/${k} must be "true" or "false"`);
      }
      const algorithm = (a('key-algorithm') ?? 'RSA').toLowerCase();
      if (!['rsa', 'ecdsa', 'ed25519'].includes(algorithm)) problems.push(`${at}: csi.cert-manager.io/key-algorithm (${a('key-algorithm')}) is not RSA, ECDSA or Ed25519`);
      const size = a('key-size');
      if (algorithm === 'ecdsa' && size !== undefined && !['256', '384', '521'].includes(size)) problems.push(`${at}: ECDSA key-size must be 256, 384 or 521`);
      if (algorithm === 'ed25519' && size !== undefined) problems.push(`${at}: Ed25519 takes no key-size`);
      if (algorithm !== 'rsa' && (a('key-encoding') ?? '').toUpperCase() === 'PKCS1') problems.push(`${at}: PKCS1 encoding is for RSA keys only`);
      for (const usage of (a('key-usages') ?? '').split(',').map((u) => u.trim()).filter(Boolean)) {
        if (!USAGES.has(usage)) problems.push(`${at}: csi.cert-manager.io/key-usages lists '${usage}', not a cert-manager usage`);
      }
      const fsGroup = a('fs-group');
      if (fsGroup !== undefined && !/^[1-9]\d*$/.test(fsGroup)) problems.push(`${at}: csi.cert-manager.io/fs-group (${fsGroup}) must be a group id from 1`);
      for (const [key, value] of Object.entries(attributes)) {
        if (typeof value === 'string' && /\$(?!\{?(POD_NAME|POD_NAMESPACE|POD_UID|SERVICE_ACCOUNT_NAME)\b)/.test(value)) {
          problems.push(`${at}: ${key} uses an unknown $VARIABLE (the driver refuses the volume)`);
        }
      }
    } else if (csi.driver === 'spiffe.csi.cert-manager.io') {
      for (const key of Object.keys(attributes)) {
        if (!SPIFFE_ATTRIBUTES.has(key)) problems.push(`${at}: csi-driver-spiffe reads only ${[...SPIFFE_ATTRIBUTES].join(', ')}, not ${key}`);
      }
    }
  }
  return problems;
}
