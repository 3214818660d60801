import * as fs from 'fs';
import * as path from 'path';
import { Audit, AuditOptions } from './audit/audit';
import { auditJson, auditSarif, auditSummary, auditText } from './audit/audit-format';
import { EstateReadError } from './audit/estate-reader';
import { CliCommand, CliIo, CliUsageError, EXIT_FINDINGS, EXIT_OK, parseArgs } from './cli-command';

const HELP = `Usage: cdk8s-vault-pki audit [paths...] [--format text|json|sarif] [--output <file>] [--skip <rule>[@<object>]]...
                             [--merge] [--now <ISO time>] [--cert-manager <namespace>/<name>] [--list-rules]

Audits an estate offline against the hardened defaults: no cluster, Vault or registry is contacted.

Each path (default: .) is a file or a folder (read recursively):
  - Kubernetes YAML or JSON: 'kubectl get -A -o yaml' dumps (kind: List), Helm output, GitOps trees, dist/ folders;
  - Terraform: cdk.tf.json, a cdktf.out/ folder (the stacks its manifest.json lists), 'terraform show -json' of a state
    or a plan;
  - Vault CLI output: 'vault read -format=json <path>' documents with the path added as "path" (JSON, array or lines).
Every program output found in a folder (its manifests and cdktf.out/) is audited on its own, a fleet's GitOps trees
cluster by cluster; all other files and folders given are one estate, in which later files replace earlier copies of
the same object: 'audit live.yaml dist/' audits the cluster as it will be once dist/ is applied (the policies it adds
decide approval-coverage).

Options:
  --format text|json|sarif  text (default); json: {"findings": [...], "summary": {...}}; sarif: SARIF 2.1.0 for code scanning
  --output <file>           write the report to <file> (the summary still goes to stderr)
  --skip <rule>             do not run a rule (repeatable); <rule>@<Kind/namespace/name> or <rule>@<type/address>
                            skips it for one object ('*' matches any run); objects may also carry the annotation
                            ${Audit.SKIP_ANNOTATION}: "<rule>,<rule>"
  --merge                   audit everything given as one estate
  --now <ISO time>          judge certificate expiry at this time (default: now)
  --cert-manager <ns>/<sa>  cert-manager's controller service account (default: cert-manager/cert-manager)
  --list-rules              list the rules (id, severity, description, source) and exit

Exit status: 0 no finding of severity error, 1 findings of severity error, 2 usage or input error.`;

/** The package's version (SARIF's tool version). */
function version(): string {
  try {
    return JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** `cdk8s-vault-pki audit`: the hardened defaults over an estate on disk. @internal */
export const AUDIT_COMMAND: CliCommand = {
  name: 'audit',
  summary: 'audit an existing estate (manifests, Terraform, Vault CLI output) against the hardened defaults, offline',
  help: HELP,
  run(args: string[], io: CliIo): number {
    const { options, positional } = parseArgs(args, ['--format', '--output', '--skip', '--now', '--cert-manager'], ['--list-rules', '--merge']);
    const last = (name: string) => options.get(name)?.[options.get(name)!.length - 1];
    if (options.has('--list-rules')) {
      const rules = Audit.rules();
      const width = Math.max(...rules.map((r) => r.id.length));
      for (const r of rules) io.out(`${r.id.padEnd(width)}  ${r.severity.padEnd(7)}  ${r.description}\n${' '.repeat(width + 11)}source: ${r.source}`);
      return EXIT_OK;
    }
    const format = last('--format') ?? 'text';
    if (!['text', 'json', 'sarif'].includes(format)) throw new CliUsageError(`--format must be text, json or sarif, not '${format}'`);
    const now = last('--now');
    if (now !== undefined && Number.isNaN(Date.parse(now))) throw new CliUsageError(`--now '${now}' is not an ISO time (e.g. 2026-01-31T00:00:00Z)`);
    const auditOptions: AuditOptions = {
      skip: options.get('--skip') ?? [],
      now: now !== undefined ? new Date(now) : undefined,
      certManagerServiceAccount: last('--cert-manager'),
      merge: options.has('--merge'),
    };
    let result;
    try {
      result = Audit.run(positional.length > 0 ? positional : ['.'], auditOptions, io.cwd);
    } catch (e) {
      if (e instanceof EstateReadError || /^unknown audit rule/.test((e as Error).message)) throw new CliUsageError((e as Error).message);
      throw e;
    }
    const report = format === 'json' ? auditJson(result) : format === 'sarif' ? auditSarif(result, Audit.rules(), version()) : auditText(result);
    const output = last('--output');
    if (output !== undefined) {
      fs.mkdirSync(path.dirname(path.resolve(io.cwd, output)), { recursive: true });
      fs.writeFileSync(path.resolve(io.cwd, output), `${report}\n`);
      io.err(`${auditSummary(result)} (${format} report written to ${output})`);
    } else {
      io.out(report);
    }
    return Audit.hasErrors(result) ? EXIT_FINDINGS : EXIT_OK;
  },
};
