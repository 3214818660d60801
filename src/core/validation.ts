import { IConstruct } from 'constructs';
import { PkiValidationError } from './errors';
import { Shape, shapeProblems } from './input-shapes';

/**
 * A validation rule: a pure function of a construct's resolved props that returns its problems (each naming the
 * prop, the value, the limit and the fix), or nothing. Every construct keeps its rules in a table (a `*-rules.ts`
 * file next to it) and runs them all, so every problem of one construct is reported together.
 * @internal
 */
export type Rule<T> = (props: T) => string | readonly string[] | undefined | false;

/**
 * Runs `rules` over `resolved` and throws one PkiValidationError naming `scope` with every problem found.
 * Rules after a failed `gate` rule do not run (later rules may rely on what the gate checked).
 * @internal
 */
export function validate<T>(scope: IConstruct, constructType: string, resolved: T, rules: readonly (Rule<T> | 'gate')[]): void {
  const problems: string[] = [];
  for (const rule of rules) {
    if (rule === 'gate') {
      if (problems.length > 0) break;
      continue;
    }
    const result = rule(resolved);
    if (typeof result === 'string') problems.push(result);
    else if (Array.isArray(result)) problems.push(...result);
  }
  if (problems.length > 0) throw new PkiValidationError(constructType, scope.node.path, problems);
}

/**
 * Throws one PkiValidationError naming `scope` when `props` do not have the `shapes` the public API declares (a list, a
 * Duration, a string...): what JavaScript and the other jsii languages can get wrong that TypeScript cannot. Runs
 * before a construct resolves its defaults, so that no rule ever iterates a string as a list.
 * @internal
 */
export function validateShapes(scope: IConstruct, constructType: string, props: unknown, shapes: Record<string, Shape>, prefix = ''): void {
  const problems = shapeProblems(props, shapes, prefix);
  if (problems.length > 0) throw new PkiValidationError(constructType, scope.node.path, problems);
}
