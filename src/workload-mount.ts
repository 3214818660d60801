import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Problems } from './errors';
import { WorkloadMountOptions } from './workload-mount-options';

/** @internal */
export interface VolumeMountRequest {
  readonly owner: Construct;
  readonly ownerType: string;
  readonly workload: kplus.AbstractPod;
  readonly options: WorkloadMountOptions;
  readonly defaultPath: string;
  /** The namespace the workload must be in, when the mounted object lives in one namespace. */
  readonly namespace?: string;
  readonly volume: (scope: Construct, id: string) => kplus.Volume;
}

/**
 * Mounts a volume read-only into one container of a cdk8s-plus workload, after checking the
 * workload can see it.
 * @internal
 */
export function mountReadOnly(request: VolumeMountRequest): void {
  const { owner, workload, options } = request;
  const namespace = workload.metadata.namespace ?? Chart.of(workload).namespace;
  const container = options.container ?? workload.containers[0];
  const problems = new Problems();
  problems.check(request.namespace !== undefined && namespace !== request.namespace, () =>
    `cannot mount into workload '${workload.node.path}' of namespace '${namespace ?? '<none>'}'; the Secret lives in '${request.namespace}': ` +
    'create the workload in that namespace');
  problems.check(container === undefined, () =>
    `workload '${workload.node.path}' has no container yet; add the container before mounting, or pass 'container'`);
  problems.throwIfAny(owner, request.ownerType);
  const volume = request.volume(owner, `volume-${workload.node.addr}`);
  container.mount(options.path ?? request.defaultPath, volume, { readOnly: true });
}

/** A volume name (RFC 1123 label) from a prefix and an object name. @internal */
export function volumeName(prefix: string, name: string): string {
  return `${prefix}-${name}`.slice(0, 63).replace(/[^a-z0-9-]/g, '-').replace(/-+$/, '');
}
