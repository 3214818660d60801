export * from './consistency-rule';
export * from './consistency-check';
export * from './audit/audit-rule';
export * from './audit/audit';
