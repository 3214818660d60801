import * as kplus from 'cdk8s-plus-28';
import { CertificateReload } from './certificate-reload';

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

  /**
   * How the workload takes up a renewed certificate: the application's own file watch, or a rolling restart on every
   * change of the certificate's Secret (stakater Reloader's annotation on the workload). Trust bundles change only
   * through a CA rotation; the same applies.
   * @default CertificateReload.fileWatch() - the application re-reads the files (nothing is emitted)
   */
  readonly reload?: CertificateReload;
}
