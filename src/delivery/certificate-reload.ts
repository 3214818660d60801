/**
 * How a workload takes up a renewed certificate. A whole-volume mount (what `mount()` does) sees the new files within
 * the kubelet's sync period (about a minute); the process must still read them again:
 *
 * - `fileWatch()`: the application re-reads the files when they change (Go's `tls.Config.GetCertificate` reading the
 *   file, Envoy's SDS file watch, nginx reload on inotify): nothing is emitted, the mount is enough;
 * - `rollingRestart()`: stakater Reloader restarts the workload when the Secret changes, through the annotation
 *   `secret.reloader.stakater.com/reload: "<secret>"` on the workload (Reloader's documented annotation; several
 *   Secrets comma-separated). Every renewal then restarts the pods (every 16 hours for the 24-hour default), so
 *   prefer a file watch where the application has one. csi-driver volumes have no Secret to watch: file watch only.
 */
export class CertificateReload {
  /** Reloader's annotation naming the Secrets whose change restarts the workload. */
  public static readonly RELOADER_SECRET_ANNOTATION = 'secret.reloader.stakater.com/reload';

  /** The application watches its certificate files (nothing is emitted). */
  public static fileWatch(): CertificateReload {
    return new CertificateReload('file-watch');
  }

  /** A rolling restart of the workload whenever the certificate's Secret changes (stakater Reloader). */
  public static rollingRestart(): CertificateReload {
    return new CertificateReload('rolling-restart');
  }

  private constructor(
    /** `file-watch` or `rolling-restart`. */
    public readonly strategy: string,
  ) {}
}
