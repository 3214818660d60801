import * as kplus from 'cdk8s-plus-28';

/** Options of mounting a certificate or trust bundle into a workload. */
export interface WorkloadMountOptions {
  /**
   * Directory the files appear in.
   * @default - `/etc/tls/<certificate name>` for certificates, `/etc/trust-bundle/<bundle name>` for bundles
   */
  readonly path?: string;

  /**
   * The container to mount into (only that container sees the files).
   * @default - the workload's first container
   */
  readonly container?: kplus.Container;

  /**
   * Group that may read a mounted private key: the pod's `fsGroup`. Secret files belong to root; with a pod
   * fsGroup the kubelet gives them that group and mode 0440, which is how a non-root container reads its key.
   * Set only when the pod has no fsGroup yet (mount then sets it); a pod's existing fsGroup is always used.
   * @default - the pod's fsGroup; else the container's group (`securityContext.group`); else 26000
   */
  readonly fsGroup?: number;
}
