import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';

/**
 * Whether a workload can ever see its certificate's renewal. The kubelet refreshes the files of a Secret volume (and
 * csi-driver rewrites its volume's files) in place, but:
 *
 * - a `subPath` mount is a bind mount of one file made when the container starts: it never changes (Kubernetes
 *   documents "A container using a Secret as a subPath volume mount does not receive automated Secret updates");
 * - an environment variable (`env[].valueFrom.secretKeyRef`, `envFrom[].secretRef`) is read once, when the container
 *   starts.
 *
 * Either way the pod serves its first certificate until it expires, however often cert-manager renews it. One pure
 * function over pod specs (plain JSON), used by the library at synth time (workloads in a chart with the library's
 * certificates) and by `cdk8s-vault-pki audit` (workloads of an estate).
 */

/** cert-manager's csi drivers: their volumes hold rotating certificates. @internal */
export const CERT_MANAGER_CSI_DRIVERS = ['csi.cert-manager.io', 'spiffe.csi.cert-manager.io'];

/** One way a container reads a rotating certificate that it cannot see renewed. @internal */
export interface RenewalBlindRead {
  readonly container: string;
  /** `subPath` (a volume mount with subPath or subPathExpr), `env` or `envFrom`. */
  readonly how: 'subPath' | 'env' | 'envFrom';
  /** The Secret (or `csi <driver>`) the certificate comes from. */
  readonly source: string;
  /** What exactly: the mount path and subPath, or the variable and key. */
  readonly detail: string;
}

/**
 * Every read in `pod` (a pod spec) of a rotating certificate that cannot see its renewal. `rotating(secretName)` says
 * whether a Secret holds a certificate that is renewed (a cert-manager Certificate writes it); cert-manager csi volumes
 * always rotate.
 * @internal
 */
export function renewalBlindReads(pod: any, rotating: (secretName: string) => boolean): RenewalBlindRead[] {
  const volumes = new Map<string, string>();
  for (const v of pod?.volumes ?? []) {
    if (v?.secret?.secretName && rotating(v.secret.secretName)) volumes.set(v.name, `Secret ${v.secret.secretName}`);
    const projected = (v?.projected?.sources ?? []).map((s: any) => s?.secret?.name).find((n: unknown) => typeof n === 'string' && rotating(n));
    if (projected) volumes.set(v.name, `Secret ${projected}`);
    if (CERT_MANAGER_CSI_DRIVERS.includes(v?.csi?.driver)) volumes.set(v.name, `csi ${v.csi.driver}`);
  }
  const out: RenewalBlindRead[] = [];
  for (const c of pod?.containers ?? []) {
    const container = String(c?.name ?? '<unnamed>');
    for (const m of c?.volumeMounts ?? []) {
      const source = volumes.get(m?.name);
      const sub = m?.subPath ?? m?.subPathExpr;
      if (source && sub) out.push({ container, how: 'subPath', source, detail: `mount ${m.mountPath} with subPath '${sub}' of volume '${m.name}'` });
    }
    for (const e of c?.env ?? []) {
      const ref = e?.valueFrom?.secretKeyRef;
      if (ref?.name && rotating(ref.name)) out.push({ container, how: 'env', source: `Secret ${ref.name}`, detail: `variable ${e.name} from key '${ref.key}'` });
    }
    for (const e of c?.envFrom ?? []) {
      const name = e?.secretRef?.name;
      if (name && rotating(name)) out.push({ container, how: 'envFrom', source: `Secret ${name}`, detail: `every key as a variable${e.prefix ? ` (prefix ${e.prefix})` : ''}` });
    }
  }
  return out;
}

/** The fix of a renewal-blind read, for messages. @internal */
export function renewalFix(read: RenewalBlindRead): string {
  return read.how === 'subPath'
    ? 'mount the whole volume (no subPath; ShortLivedCertificate.mount() does) and point the application at the file in that folder'
    : 'mount the certificate as a volume (ShortLivedCertificate.mount()) and read the files, never an environment variable';
}

/** The pod spec of a workload object (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod). @internal */
export function podSpecOf(object: any): any {
  switch (object?.kind) {
    case 'Pod': return object.spec;
    case 'CronJob': return object.spec?.jobTemplate?.spec?.template?.spec;
    case 'Deployment': case 'StatefulSet': case 'DaemonSet': case 'ReplicaSet': case 'Job': return object.spec?.template?.spec;
    default: return undefined;
  }
}

/** The kinds podSpecOf reads a pod spec from. */
const WORKLOAD_KINDS = new Set(['Pod', 'CronJob', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

const WATCHED = Symbol.for('cdk8s-vault-pki.renewal-visibility');

/**
 * Adds, once per chart, the synth-time check that no workload of the chart reads a certificate the chart's
 * Certificates rotate (or a cert-manager csi volume) through a subPath or an environment variable. Runs when the App
 * synthesizes (`app.synth()` validates every construct); the error names the workload, the container, the read and the
 * fix.
 * @internal
 */
export function watchRenewals(scope: IConstruct): void {
  const chart = Chart.of(scope);
  if ((chart as any)[WATCHED]) return;
  (chart as any)[WATCHED] = true;
  chart.node.addValidation({
    validate: () => {
      const apiObjects = chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject);
      // Only a workload reads certificates: a chart without one has nothing to check (and nothing to render twice).
      if (!apiObjects.some((o) => WORKLOAD_KINDS.has(o.kind))) return [];
      const objects = apiObjects.map((o) => o.toJson());
      const rotating = new Set(objects.filter((o) => o.kind === 'Certificate' && String(o.apiVersion).startsWith('cert-manager.io/'))
        .map((o) => `${o.metadata?.namespace ?? chart.namespace ?? 'default'}/${o.spec?.secretName}`));
      const errors: string[] = [];
      for (const o of objects) {
        const pod = podSpecOf(o);
        if (!pod) continue;
        const ns = o.metadata?.namespace ?? chart.namespace ?? 'default';
        for (const read of renewalBlindReads(pod, (secret) => rotating.has(`${ns}/${secret}`))) {
          errors.push(`workload ${o.kind} ${ns}/${o.metadata?.name} container '${read.container}' reads the rotating certificate of ${read.source} ` +
            `through ${read.how === 'subPath' ? 'a subPath mount' : 'an environment variable'} (${read.detail}): it never sees a renewal and ` +
            `serves its first certificate until it expires; ${renewalFix(read)}`);
        }
      }
      return errors;
    },
  });
}
