import {
  IssuerSpecAcmeSolvers, IssuerSpecAcmeSolversDns01, IssuerSpecAcmeSolversDns01Route53,
} from '../imports/issuer-cert-manager.io';

/** Options of {@link AcmeSolver.http01Ingress}. */
export interface AcmeHttp01IngressOptions {
  /**
   * The IngressClass of the solver's temporary Ingress (the controller that serves `/.well-known/acme-challenge/`).
   */
  readonly ingressClassName: string;
  /**
   * The zones this solver proves (`selector.dnsZones`).
   * @default - every zone of the issuer
   */
  readonly zones?: string[];
}

/** Options of {@link AcmeSolver.dns01Route53}. */
export interface AcmeRoute53Options {
  /** The AWS region of the Route 53 API. */
  readonly region: string;
  /**
   * The hosted zone to write TXT records into.
   * @default - found by cert-manager from the name
   */
  readonly hostedZoneId?: string;
  /**
   * An IAM role to assume (ambient credentials otherwise: IRSA or the node's).
   * @default - ambient credentials
   */
  readonly role?: string;
  /**
   * The zones this solver proves.
   * @default - every zone of the issuer
   */
  readonly zones?: string[];
}

/** Options of {@link AcmeSolver.dns01Cloudflare}. */
export interface AcmeCloudflareOptions {
  /** The Secret holding a Cloudflare API token (Zone:DNS:Edit): in the Issuer's namespace, or cert-manager's for a ClusterIssuer. */
  readonly apiTokenSecretName: string;
  /**
   * The key of the token in that Secret.
   * @default 'api-token'
   */
  readonly apiTokenSecretKey?: string;
  /**
   * The zones this solver proves.
   * @default - every zone of the issuer
   */
  readonly zones?: string[];
}

/**
 * How an {@link AcmeIssuer} proves control of a name to the ACME CA (cert-manager v1.21.1 `pkg/apis/acme/v1`
 * ACMEChallengeSolver): HTTP-01 through a temporary Ingress, or DNS-01 through a DNS provider's API. Only DNS-01 can
 * prove a wildcard name.
 */
export class AcmeSolver {
  /** HTTP-01: cert-manager serves the challenge through a temporary Ingress of `ingressClassName`. */
  public static http01Ingress(options: AcmeHttp01IngressOptions): AcmeSolver {
    return new AcmeSolver('http01', options.zones, { http01: { ingress: { ingressClassName: options.ingressClassName } } });
  }

  /** DNS-01 with AWS Route 53. */
  public static dns01Route53(options: AcmeRoute53Options): AcmeSolver {
    const route53: IssuerSpecAcmeSolversDns01Route53 = { region: options.region, hostedZoneId: options.hostedZoneId, role: options.role };
    return new AcmeSolver('dns01', options.zones, { dns01: { route53 } });
  }

  /** DNS-01 with Cloudflare, with an API token from a Secret. */
  public static dns01Cloudflare(options: AcmeCloudflareOptions): AcmeSolver {
    const dns01: IssuerSpecAcmeSolversDns01 = {
      cloudflare: { apiTokenSecretRef: { name: options.apiTokenSecretName, key: options.apiTokenSecretKey ?? 'api-token' } },
    };
    return new AcmeSolver('dns01', options.zones, { dns01 });
  }

  private constructor(
    /** `http01` or `dns01`. */
    public readonly challenge: string,
    /** The zones this solver proves, when limited. */
    public readonly zones: string[] | undefined,
    private readonly spec: Omit<IssuerSpecAcmeSolvers, 'selector'>,
  ) {}

  /** The solver as the Issuer lists it, limited to `zones`. @internal */
  public _render(zones: string[]): IssuerSpecAcmeSolvers {
    return { ...this.spec, selector: { dnsZones: [...zones] } };
  }
}
