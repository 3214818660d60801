import { IConstruct } from 'constructs';

/**
 * Thrown at synth time when a construct's input is out of policy.
 *
 * jsii cannot export subclasses of `Error`, so this class is not part of the jsii API: TypeScript
 * users import it from `cdk8s-vault-pki/lib/core/errors`; every language sees the message, which carries
 * the same information.
 *
 * Every problem of one construct is reported together. Each problem names the prop, the value,
 * the limit and the fix, e.g. `'duration' (72h) must not exceed the tenant's 'maxDuration' (48h);
 * lower 'duration' or raise 'maxDuration'`.
 *
 * @jsii ignore an Error subclass has no jsii type: TypeScript and JavaScript import it from the package root
 */
export class PkiValidationError extends Error {
  /** The construct path of the construct whose input is invalid. */
  public readonly constructPath: string;
  /** The type of the construct whose input is invalid, e.g. `TenantIssuer`. */
  public readonly constructType: string;
  /** Every problem found, one sentence each. */
  public readonly problems: string[];

  constructor(constructType: string, constructPath: string, problems: string[]) {
    const body = problems.length === 1 ? problems[0] : problems.map((p) => `\n  - ${p}`).join('');
    super(`${constructType} '${constructPath}': ${body}`);
    this.name = 'PkiValidationError';
    this.constructType = constructType;
    this.constructPath = constructPath;
    this.problems = problems;
    Object.setPrototypeOf(this, PkiValidationError.prototype);
  }
}

/**
 * Collects the problems of one construct's props so that all of them are reported at once.
 * @internal
 */
export class Problems {
  private readonly list: string[] = [];

  /** Records `message` when `failed` is true. */
  public check(failed: boolean, message: () => string): void {
    if (failed) this.list.push(message());
  }

  public add(message: string): void {
    this.list.push(message);
  }

  /** The problems recorded so far. */
  public get messages(): string[] {
    return [...this.list];
  }

  /** Throws a {@link PkiValidationError} naming `scope` when any problem was recorded. */
  public throwIfAny(scope: IConstruct, constructType: string): void {
    if (this.list.length > 0) {
      throw new PkiValidationError(constructType, scope.node.path, [...this.list]);
    }
  }
}
