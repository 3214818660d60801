/**
 * One subcommand of the `cdk8s-vault-pki` command line (`cdk8s-vault-pki <name> [args...]`). Each lives in its own
 * `cli-<name>.ts` and is listed once in `cli.ts`'s COMMANDS table.
 * @internal
 */
export interface CliCommand {
  /** The word after `cdk8s-vault-pki`, e.g. `check`. */
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** The full help text (`cdk8s-vault-pki <name> --help`). */
  readonly help: string;
  /** Runs the command; returns the exit status: 0 success, 1 findings, 2 usage or input error. */
  run(args: string[], io: CliIo): number;
}

/** Where a command writes and where it resolves relative paths (the process's, or a test's). @internal */
export interface CliIo {
  readonly cwd: string;
  out(text: string): void;
  err(text: string): void;
}

/** Exit statuses every command uses. @internal */
export const EXIT_OK = 0;
/** @internal */
export const EXIT_FINDINGS = 1;
/** @internal */
export const EXIT_USAGE = 2;

/** A usage or input error: the command prints its message and exits with EXIT_USAGE. @internal */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
    Object.setPrototypeOf(this, CliUsageError.prototype);
  }
}

/**
 * Splits `args` into options and positional arguments. `valued` lists the options that take a value (`--format json`
 * or `--format=json`); repeated options keep every value; `--` ends the options.
 * @internal
 */
export function parseArgs(args: string[], valued: string[], flags: string[]): { options: Map<string, string[]>; positional: string[] } {
  const options = new Map<string, string[]>();
  const positional: string[] = [];
  const add = (name: string, value: string) => options.set(name, [...(options.get(name) ?? []), value]);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (valued.includes(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
      if (value === undefined) throw new CliUsageError(`${name} needs a value`);
      add(name, value);
    } else if (flags.includes(name) && eq < 0) {
      add(name, 'true');
    } else {
      throw new CliUsageError(`unknown option ${arg}`);
    }
  }
  return { options, positional };
}
