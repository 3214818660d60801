// check-consistency [dir...]: `cdk8s-vault-pki check` (src/consistency/cli-check.ts) run from the sources, over every
// synthesized program under the given folders (default: examples.out): each program output (dist/ and cdktf.out/) on
// its own, programs that write GitOps trees together with their siblings, cluster by cluster. Exit status: 0 without
// findings, 1 with findings, 2 on a usage or input error.
import { main } from '../src/consistency/cli';

const args = process.argv.slice(2);
process.exitCode = main(['check', ...(args.length > 0 ? args : ['examples.out'])]);
