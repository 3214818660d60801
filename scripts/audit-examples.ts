// audit-examples [dir...] [audit options...]: `cdk8s-vault-pki audit` (src/consistency/cli-audit.ts) run from the
// sources over the library's own synthesized examples (default: examples.out, each program output on its own, a fleet
// cluster by cluster), writing SARIF for code scanning to test-reports/audit.sarif and the summary to stderr. Exit status: 0
// without a finding of severity error, 1 with one (the library's own output must audit clean), 2 on a usage error.
import { main } from '../src/consistency/cli';

const args = process.argv.slice(2);
const paths = args.filter((a, i) => !a.startsWith('-') && !(i > 0 && ['--format', '--output', '--skip', '--now', '--cert-manager'].includes(args[i - 1])));
const options = args.filter((a) => !paths.includes(a));
const format = options.includes('--format') ? [] : ['--format', 'sarif'];
const output = options.includes('--output') ? [] : ['--output', 'test-reports/audit.sarif'];
process.exitCode = main(['audit', ...(paths.length > 0 ? paths : ['examples.out']), ...format, ...output, ...options]);
