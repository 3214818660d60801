/** Kubernetes label keys and values, as the API server validates them (apimachinery `validation.IsQualifiedName`). @internal */
export class Labels {
  /** The problems of `labels` as the value of the map prop `prop`. */
  public static problems(prop: string, labels: { [key: string]: string }): string[] {
    if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) return [`'${prop}' must be a map of label keys to values`];
    const problems: string[] = [];
    for (const [key, value] of Object.entries(labels)) {
      const keyProblem = Labels.keyProblem(key);
      if (keyProblem) problems.push(`'${prop}' key '${key}' ${keyProblem}`);
      if (typeof value !== 'string' || value.length > 63 || !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(value)) {
        problems.push(`'${prop}' value '${value}' of '${key}' is not a label value (at most 63 letters, digits, '-', '_', '.', starting and ending alphanumeric)`);
      }
    }
    return problems;
  }

  /** Why `key` is not a qualified label key (`[prefix/]name`), or undefined. */
  public static keyProblem(key: string): string | undefined {
    const parts = key.split('/');
    if (parts.length > 2) return "has more than one '/'";
    const name = parts[parts.length - 1];
    if (name.length === 0 || name.length > 63 || !/^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/.test(name)) {
      return 'is not a label key (a name of at most 63 letters, digits, \'-\', \'_\', \'.\', starting and ending alphanumeric, with an optional DNS prefix and \'/\')';
    }
    if (parts.length === 2 && (parts[0].length > 253 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(parts[0]))) {
      return `has a prefix '${parts[0]}' that is not a DNS subdomain`;
    }
    return undefined;
  }

  private constructor() {}
}
