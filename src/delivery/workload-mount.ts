import { createHash } from 'crypto';
import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { CertificateReload } from './certificate-reload';
import { WorkloadMountOptions } from './workload-mount-options';
import { Problems } from '../core/errors';

/** @internal */
export interface VolumeMountRequest {
  readonly owner: Construct;
  readonly ownerType: string;
  readonly workload: kplus.AbstractPod;
  readonly options: WorkloadMountOptions;
  readonly defaultPath: string;
  /** The namespace the workload must be in, when the mounted object lives in one namespace. */
  readonly namespace?: string;
  /** Why the workload must be in `namespace`, e.g. `the Secret lives in`. @default 'the Secret lives in' */
  readonly namespaceReason?: string;
  /** The volume's name (a valid, unique RFC 1123 label: see `volumeName`). */
  readonly volumeName: string;
  /**
   * The files hold a private key: readable by the workload's user only, through the pod's fsGroup (which mount sets
   * when the pod has none).
   */
  readonly secret: boolean;
  /** The Secret the volume mounts, which a rolling restart watches; undefined for csi-driver volumes. */
  readonly secretName?: string;
  /** The volume; `fsGroup` is the group the key files must belong to (set for `secret` volumes). */
  readonly volume: (scope: Construct, id: string, name: string, fsGroup?: number) => kplus.Volume;
}

/**
 * The pod fsGroup mount gives a pod that has none, when neither `options.fsGroup` nor the container's group says
 * otherwise: 26000, the group cdk8s-plus documents for its containers.
 * @internal
 */
export const DEFAULT_FS_GROUP = 26000;

/** Key files: owner and group may read, nobody else (kubelet ORs 0440 onto Secret files of a pod with an fsGroup). @internal */
export const KEY_FILE_MODE = 0o440;

/**
 * Mounts a volume read-only into one container of a cdk8s-plus workload, after checking the workload can see it.
 *
 * Secret files are written by the kubelet as root (uid 0) with the volume's mode; with a pod `fsGroup` their group
 * becomes the fsGroup and the mode gains 0440 (kubernetes v1.32 `pkg/volume/volume_linux.go` SetVolumeOwnership).
 * A non-root container (cdk8s-plus's default) can read a key only through that group, so a pod without an fsGroup
 * gets one here.
 * @internal
 */
export function mountReadOnly(request: VolumeMountRequest): void {
  const { owner, workload, options } = request;
  const namespace = workload.metadata.namespace ?? Chart.of(workload).namespace;
  const container = options.container ?? workload.containers[0];
  const problems = new Problems();
  problems.check(request.namespace !== undefined && namespace !== request.namespace, () =>
    `cannot mount into workload '${workload.node.path}' of namespace '${namespace ?? '<none>'}'; ${request.namespaceReason ?? 'the Secret lives in'} ` +
    `'${request.namespace}': create the workload in that namespace`);
  problems.check(container === undefined, () =>
    `workload '${workload.node.path}' has no container yet; add the container before mounting, or pass 'container'`);
  problems.check(container !== undefined && !workload.containers.includes(container) && !workload.initContainers.includes(container), () =>
    `'container' (${container?.name}) is not a container of workload '${workload.node.path}'`);
  const existing = [...workload.containers, ...workload.initContainers].flatMap((c) => c.mounts.map((m) => m.volume)).concat(workload.volumes)
    .find((v) => v.name === request.volumeName);
  problems.check(existing !== undefined, () =>
    `workload '${workload.node.path}' already has a volume named '${request.volumeName}'; two volumes of one pod need different names: ` +
    'mount each certificate once per workload, or give the certificates different names');
  const fsGroup = request.secret ? podFsGroup(workload, container, options, problems) : undefined;
  const restart = options.reload?.strategy === 'rolling-restart';
  problems.check(restart && request.secretName === undefined, () =>
    `'reload' (rolling restart) needs a Secret to watch, and a ${request.ownerType} volume has none (csi-driver writes its files in place, ` +
    'a trust bundle is a ConfigMap): ' +
    'the application must re-read its files; use CertificateReload.fileWatch()');
  problems.throwIfAny(owner, request.ownerType);

  if (fsGroup !== undefined && workload.securityContext.fsGroup === undefined) {
    // cdk8s-plus renders the pod's securityContext lazily from this object and offers no setter.
    (workload.securityContext as { fsGroup?: number }).fsGroup = fsGroup;
  }
  const volume = request.volume(owner, `volume-${workload.node.addr}`, request.volumeName, fsGroup);
  container.mount(options.path ?? request.defaultPath, volume, { readOnly: true });
  if (restart && request.secretName !== undefined) {
    const key = CertificateReload.RELOADER_SECRET_ANNOTATION;
    const current = String(workload.metadata.toJson()?.annotations?.[key] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (!current.includes(request.secretName)) workload.metadata.addAnnotation(key, [...current, request.secretName].join(','));
  }
}

/** The fsGroup the pod will have, recording a conflict with `options.fsGroup`. */
function podFsGroup(workload: kplus.AbstractPod, container: kplus.Container | undefined, options: WorkloadMountOptions, problems: Problems): number {
  const current = workload.securityContext.fsGroup;
  const wanted = options.fsGroup;
  problems.check(wanted !== undefined && (!Number.isInteger(wanted) || wanted < 1 || wanted > 2147483647), () =>
    `'fsGroup' (${wanted}) must be a group id from 1 to 2147483647 (0 is root's group)`);
  problems.check(wanted !== undefined && current !== undefined && current !== wanted, () =>
    `'fsGroup' (${wanted}) differs from the pod's fsGroup (${current}) of workload '${workload.node.path}'; drop 'fsGroup' to use the pod's`);
  problems.check(current === 0, () =>
    `workload '${workload.node.path}' has fsGroup 0 (root's group): every root-group process could read the key; use a dedicated group`);
  return current ?? wanted ?? container?.securityContext.group ?? DEFAULT_FS_GROUP;
}

/**
 * A volume name (RFC 1123 label, at most 63 characters) from a prefix and an object name. Names that do not fit are
 * shortened and end in a hash of the full name, so two long names never collide.
 * @internal
 */
export function volumeName(prefix: string, name: string): string {
  const full = `${prefix}-${name}`.replace(/[^a-z0-9-]/g, '-');
  if (full.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(full)) return full;
  const hash = createHash('sha256').update(`${prefix}-${name}`).digest('hex').slice(0, 8);
  return `${full.slice(0, 54).replace(/-+$/, '')}-${hash}`;
}
