import { ConsistencyRule } from '../consistency-rule';
import { CERTIFICATE_RULES } from './certificate-rules';
import { CONTRACT_RULES } from './contract-rules';
import { FLEET_RULES, IMPORT_RULES } from './fleet-rules';
import { GITOPS_RULES } from './gitops-rules';
import { ISSUER_RULES } from './issuer-rules';
import { MESH_RULES } from './mesh-rules';
import { OBJECT_RULES } from './object-rules';
import { OWNERSHIP_RULES } from './ownership-rules';
import { ROTATION_RULES } from './rotation-rules';

/** Every built-in consistency rule, in the order findings are reported. @internal */
export const BUILT_IN_RULES: ConsistencyRule[] = [
  ...ISSUER_RULES, ...CERTIFICATE_RULES, ...OBJECT_RULES, ...FLEET_RULES, ...ROTATION_RULES, ...MESH_RULES,
  ...IMPORT_RULES, ...GITOPS_RULES, ...OWNERSHIP_RULES, ...CONTRACT_RULES,
];
