import { Duration } from 'cdk8s';

/**
 * Duration conversions, in one place: Vault TTLs, Go durations for cert-manager and approver-policy,
 * and the wording used in error messages. Never `Duration.toHumanString()` in output or errors.
 * @internal
 */
export class Durations {
  public static readonly HOUR = 3600;
  public static readonly DAY = 86400;
  public static readonly YEAR = 365 * 86400;

  /** Whole seconds of `d`, or NaN when `d` is not a whole, non-negative number of seconds. */
  public static seconds(d: Duration): number {
    const ms = d.toMilliseconds();
    if (!Number.isFinite(ms) || ms < 0 || ms % 1000 !== 0) return NaN;
    return ms / 1000;
  }

  /** Whether `d` is a positive whole number of seconds (what Vault and cert-manager can express). */
  public static isWholePositive(d: Duration): boolean {
    const s = Durations.seconds(d);
    return Number.isInteger(s) && s > 0;
  }

  /**
   * Vault TTL as a string of seconds (`"86400"`): Vault reads TTLs back in seconds, so any other
   * spelling makes `terraform plan` show a perpetual diff.
   */
  public static vaultTtl(d: Duration): string {
    return String(Durations.seconds(d));
  }

  /**
   * The Vault provider's read-back form of duration strings (Go `time.Duration.String()` shortened by the
   * provider's `util.ShortDur`: `30s`, `1m`, `1h`, `1h0m30s`), for attributes such as a PKI role's
   * `not_before_duration` that the provider validates as Go durations and writes back in this form: any other
   * spelling is a diff on every plan (terraform-provider-vault v5.6.0 `util/util.go` ShortDur).
   */
  public static vaultShortDuration(d: Duration): string {
    const total = Durations.seconds(d);
    if (total === 0) return '0s';
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = total % 60;
    let text = h > 0 ? `${h}h${m}m${s}s` : m > 0 ? `${m}m${s}s` : `${s}s`;
    if (text.endsWith('m0s')) text = text.slice(0, -2);
    if (text.endsWith('h0m')) text = text.slice(0, -2);
    return text;
  }

  /** Go duration (`24h`, `8h`, `1h30m`, `45s`) as cert-manager, approver-policy and Prometheus accept it. */
  public static go(d: Duration): string {
    return Durations.goFromSeconds(Durations.seconds(d));
  }

  public static goFromSeconds(total: number): string {
    if (total === 0) return '0s';
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = total % 60;
    return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
  }

  /** Wording for error messages: the Go duration, plus days for long durations (`8760h (365d)`). */
  public static describe(d: Duration): string {
    const s = Durations.seconds(d);
    if (Number.isNaN(s)) return `${d.toMilliseconds()}ms`;
    return Durations.describeSeconds(s);
  }

  public static describeSeconds(s: number): string {
    const go = Durations.goFromSeconds(s);
    return s >= 7 * Durations.DAY && s % Durations.DAY === 0 ? `${go} (${s / Durations.DAY}d)` : go;
  }

  private constructor() {}
}
