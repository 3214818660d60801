import { ConsistencyFindingKind, ConsistencyRule } from '../consistency-rule';
import { describeObject, objectKey } from '../output-index';

export const OBJECT_RULES: ConsistencyRule[] = [
  {
    id: ConsistencyFindingKind.DUPLICATE_OBJECT,
    description: 'No two objects of one cluster share group, kind, namespace and name (the later would overwrite the earlier)',
    check(index, report) {
      const seen = new Set<string>();
      for (const m of index.manifests) {
        const key = objectKey(m);
        if (seen.has(key)) report(describeObject(m), 'is emitted more than once: one copy would overwrite the other; give each its own name');
        else seen.add(key);
      }
    },
  },
];
