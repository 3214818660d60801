import { AUDIT_COMMAND } from './cli-audit';
import { CHECK_COMMAND } from './cli-check';
import { CliCommand, CliIo, CliUsageError, EXIT_OK, EXIT_USAGE } from './cli-command';

/**
 * The `cdk8s-vault-pki` command line: a table of subcommands, each in its own `cli-<name>.ts`. To add one, write its
 * CliCommand there and list it here (or call registerCommand before main).
 */
const COMMANDS = new Map<string, CliCommand>();

/** Adds a subcommand (its name must be new). @internal */
export function registerCommand(command: CliCommand): void {
  if (COMMANDS.has(command.name)) throw new Error(`cdk8s-vault-pki: command '${command.name}' is already registered`);
  COMMANDS.set(command.name, command);
}

/** Every registered subcommand, by name. @internal */
export function commands(): CliCommand[] {
  return [...COMMANDS.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
}

for (const command of [CHECK_COMMAND, AUDIT_COMMAND]) registerCommand(command);

function usage(): string {
  const width = Math.max(...commands().map((c) => c.name.length));
  return ['Usage: cdk8s-vault-pki <command> [args...]', '', 'Commands:',
    ...commands().map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '', 'cdk8s-vault-pki <command> --help shows a command\'s arguments.'].join('\n');
}

/** The process's own streams and working directory. @internal */
export const PROCESS_IO: CliIo = {
  cwd: process.cwd(),
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/**
 * Runs `cdk8s-vault-pki <argv...>` and returns its exit status: 0 success, 1 findings, 2 usage or input error.
 * @internal
 */
export function main(argv: string[], io: CliIo = PROCESS_IO): number {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.err : io.out)(usage());
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const command = COMMANDS.get(name);
  if (!command) {
    io.err(`cdk8s-vault-pki: unknown command '${name}'\n\n${usage()}`);
    return EXIT_USAGE;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.out(command.help);
    return EXIT_OK;
  }
  try {
    return command.run(args, io);
  } catch (e) {
    const message = e instanceof CliUsageError ? e.message : `${(e as Error).message ?? e}`;
    io.err(`cdk8s-vault-pki ${name}: ${message}`);
    return EXIT_USAGE;
  }
}
