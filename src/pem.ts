/** PEM certificate input checks, shared by every prop that takes CA certificates. @internal */
export class Pem {
  /**
   * The problems of `text` as the value of `prop`: it must be one or more PEM certificates and
   * must not contain key material.
   */
  public static certificateProblems(prop: string, text: string | undefined): string[] {
    if (text === undefined) return [];
    const problems: string[] = [];
    if (/PRIVATE KEY/.test(text)) {
      problems.push(`'${prop}' contains a private key; pass only CA certificates, never key material`);
    } else if (!/^\s*(-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\s*)+$/.test(text)) {
      problems.push(`'${prop}' is not PEM certificates only; pass the CA certificate's PEM text`);
    }
    return problems;
  }

  private constructor() {}
}
