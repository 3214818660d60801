export * from './consistency-rule';
export * from './consistency-check';
