/**
 * A model of Argo CD v3.5.1 (application controller, ApplicationSet controller, the vendored gitops-engine) and of
 * `kustomize build`, for proving what a GitOps tree of this library does on a cluster. See README.md.
 */
export * from './applicationset';
export * from './cluster';
export * from './controller';
export * from './health';
export * from './kustomize';
export * from './project';
export * from './sync-engine';
export * from './tracking';
export * from './tree';
export { syncApplication as sync } from './controller';
