/**
 * Modules a program loads only when it uses them. cdk8s-plus-28 is megabytes of generated Kubernetes classes (most of a
 * small program's start-up time and memory), needed only by the `mount()` methods that take a cdk8s-plus workload, and
 * the workload-mount helpers built on it; every other part of the library emits its objects without them.
 * @internal
 */
export const LazyModules = {
  /** cdk8s-plus-28. */
  kplus(): typeof import('cdk8s-plus-28') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('cdk8s-plus-28');
  },
  /** The workload-mount helpers (delivery/workload-mount). */
  workloadMount(): typeof import('../delivery/workload-mount') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('../delivery/workload-mount');
  },
};
