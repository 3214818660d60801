import * as kplus from 'cdk8s-plus-28';

/** Options of mounting a certificate or trust bundle into a workload. */
export interface WorkloadMountOptions {
  /**
   * Directory the files appear in.
   * @default - `/etc/tls/<certificate name>` for certificates, `/etc/trust-bundle/<bundle name>` for bundles
   */
  readonly path?: string;

  /**
   * The container to mount into.
   * @default - the workload's first container
   */
  readonly container?: kplus.Container;
}
