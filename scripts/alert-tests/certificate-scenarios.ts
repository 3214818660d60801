// Scenarios for the certificate and issuer alerts: realistic 24h certificates (renewBefore 8h) in the reference
// scenario's tenants, all of them present in every scenario so each one also proves the others stay quiet.
import { Certificate, certManagerScraped, DURATION, Issuer, NotReady, renewedOnSchedule, RENEW_BEFORE, TENANT_ISSUER } from './cert-manager';
import { DAY, HOUR, MINUTE } from './notation';
import { ExpectedAlert, RuleBook } from './rule-book';
import { Check, ExprCheck, Scenario } from './scenario';
import { CaCertificates, exporterScraped, referenceLeafChains } from './x509-exporter';

/** The reference scenario's tenants, each first issued at a different time so their renewals do not coincide. */
const FIRST_ISSUED = { payments: -4 * HOUR, auth: -10 * HOUR, api: -15 * HOUR } as const;
type Tenant = keyof typeof FIRST_ISSUED;
const TENANTS = Object.keys(FIRST_ISSUED) as Tenant[];

/** The tenants' recording rule, one per tenant of the `services` intermediate. */
const TENANT_RECORD = 'vault_pki:tenant_max_duration_seconds';

export function certificateScenarios(book: RuleBook, cas: CaCertificates): Scenario[] {
  const alerts = new CertificateAlerts(book);
  const healthy = (tenant: Tenant, until: number): Certificate =>
    new Certificate({ namespace: tenant, name: 'mtls', issuances: renewedOnSchedule(FIRST_ISSUED[tenant], until) });
  const readyIssuers = (): Issuer[] => TENANTS.map((namespace) => new Issuer({ namespace }));
  const scenario = (name: string, until: number, certificates: Certificate[], issuers: Issuer[], checks: Check[],
    exprChecks: ExprCheck[] = []): Scenario => ({
    name,
    step: MINUTE,
    until,
    series: [
      ...certificates.flatMap((c) => c.series()), ...issuers.flatMap((i) => i.series()), ...cas.healthy(), certManagerScraped(), exporterScraped(),
      // x509-certificate-exporter reads the tenants' leaf Secrets (the chains to the services intermediate).
      ...referenceLeafChains(),
    ],
    checks,
    exprChecks,
  });
  const at = (t: number, ...firing: ExpectedAlert[]): Check => ({ at: t, firing });

  const scenarios: Scenario[] = [];

  // a. Healthy: renewed on schedule every 16h over 3 days. Nothing fires, and nothing is ever even pending,
  //    while a naive "expires in less than 3 days" alert would fire all the time.
  {
    const until = 3 * DAY;
    const certificates = TENANTS.map((tenant) => healthy(tenant, until));
    const times = new Set<number>([0, until]);
    for (const renewal of certificates.flatMap((c) => c.renewalTimes)) {
      for (const t of [renewal - MINUTE, renewal, renewal + MINUTE, renewal + 10 * MINUTE]) if (t >= 0 && t <= until) times.add(t);
    }
    scenarios.push(scenario('a. healthy 24h certificates renewed every 16h for 3 days: no alert', until, certificates, readyIssuers(),
      [...times].map((t) => at(t)), [
        { at: until, expr: `count_over_time(ALERTS[${until / HOUR + 1}h])`, samples: [] },
        { at: 36 * HOUR, expr: 'count(certmanager_certificate_expiration_timestamp_seconds - time() < 3 * 86400)', samples: [{ labels: {}, value: 3 }] },
        {
          at: HOUR,
          expr: TENANT_RECORD,
          samples: TENANTS.map((tenant) => ({
            metric: TENANT_RECORD,
            labels: { exported_namespace: tenant, issuer_name: TENANT_ISSUER, issuer_kind: 'Issuer', hierarchy: 'pki', intermediate: 'services' },
            value: DURATION,
          })),
        },
      ]));
  }

  // b. payments renews once on schedule, then stops renewing (e.g. requests denied).
  {
    const stuck = new Certificate({ namespace: 'payments', name: 'mtls', issuances: renewedOnSchedule(FIRST_ISSUED.payments, 13 * HOUR) });
    const renewal = stuck.renewalTimes[stuck.renewalTimes.length - 1];
    const expiry = renewal + RENEW_BEFORE;
    const quarter = RENEW_BEFORE / 4;
    const until = expiry - MINUTE;
    scenarios.push(scenario('b. certificate stops renewing: renewal overdue after a quarter of the 8h window, critical in the last quarter', until,
      [stuck, healthy('auth', until), healthy('api', until)], readyIssuers(), [
        at(renewal),
        at(renewal + MINUTE),
        at(renewal + quarter),
        at(renewal + quarter + 5 * MINUTE),
        at(renewal + quarter + 6 * MINUTE, alerts.overdue(stuck)),
        at(expiry - quarter, alerts.overdue(stuck)),
        at(expiry - quarter + MINUTE, alerts.overdue(stuck), alerts.imminent(stuck)),
        at(expiry - MINUTE, alerts.overdue(stuck), alerts.imminent(stuck)),
      ]));
  }

  // c. Lifetime against the tenant's maximum (24h): 72h and 24h5m certificates fire; Vault's 24h+30s does not.
  {
    const until = 2 * HOUR;
    const long = new Certificate({ namespace: 'auth', name: 'legacy', issuances: [{ at: 0, lifetime: 72 * HOUR }] });
    const slightly = new Certificate({ namespace: 'api', name: 'batch', issuances: [{ at: -HOUR, lifetime: DURATION + 5 * MINUTE }] });
    const exact = new Certificate({ namespace: 'payments', name: 'edge', issuances: [{ at: -HOUR, lifetime: DURATION }] });
    scenarios.push(scenario('c. certificate longer-lived than the tenant policy (72h, 24h5m) fires; 24h+30s (Vault back-dating) does not', until,
      [...TENANTS.map((tenant) => healthy(tenant, until)), long, slightly, exact], readyIssuers(),
      [0, MINUTE, until].map((t) => at(t, alerts.longerLived(long), alerts.longerLived(slightly)))));
  }

  // d. Ready False for 20 minutes (api) and Unknown for 30 minutes (auth) fire after 15m; a 10 minute blip (payments) does not.
  {
    const until = 3 * HOUR;
    const withReady = (tenant: Tenant, notReady: NotReady): Certificate =>
      new Certificate({ namespace: tenant, name: 'mtls', issuances: renewedOnSchedule(FIRST_ISSUED[tenant], until), notReady: [notReady] });
    const api = withReady('api', { from: HOUR, to: HOUR + 20 * MINUTE });
    const auth = withReady('auth', { from: 2 * HOUR, to: 2 * HOUR + 30 * MINUTE, condition: 'Unknown' });
    const payments = withReady('payments', { from: 2 * HOUR + 40 * MINUTE, to: 2 * HOUR + 50 * MINUTE });
    scenarios.push(scenario('d. certificate not Ready (False 20m, Unknown 30m): NotReady after 15m, not before; a 10m blip stays quiet', until,
      [payments, auth, api], readyIssuers(), [
        at(HOUR),
        at(HOUR + 14 * MINUTE),
        at(HOUR + 15 * MINUTE, alerts.notReady(api)),
        at(HOUR + 19 * MINUTE, alerts.notReady(api)),
        at(HOUR + 20 * MINUTE),
        at(2 * HOUR + 14 * MINUTE),
        at(2 * HOUR + 15 * MINUTE, alerts.notReady(auth)),
        at(2 * HOUR + 29 * MINUTE, alerts.notReady(auth)),
        at(2 * HOUR + 30 * MINUTE),
        at(2 * HOUR + 49 * MINUTE),
        at(2 * HOUR + 50 * MINUTE),
        at(until),
      ]));
  }

  // e. auth's Issuer is not Ready for 15 minutes: IssuerNotReady after 10m.
  {
    const until = 2 * HOUR;
    const from = HOUR;
    const auth = new Issuer({ namespace: 'auth', notReady: [{ from, to: from + 15 * MINUTE }] });
    scenarios.push(scenario('e. issuer not Ready for 15m: IssuerNotReady after 10m, not before', until,
      TENANTS.map((tenant) => healthy(tenant, until)), [new Issuer({ namespace: 'payments' }), auth, new Issuer({ namespace: 'api' })], [
        at(from),
        at(from + 9 * MINUTE),
        at(from + 10 * MINUTE, alerts.issuerNotReady(auth)),
        at(from + 14 * MINUTE, alerts.issuerNotReady(auth)),
        at(from + 15 * MINUTE),
        at(until),
      ]));
  }

  // f. The same broken certificates and issuer in the tenant `payments`, in the non-tenant namespace `other`, and in
  //    `auth` under an issuer that is not the tenant's: only payments alerts. A stuck certificate in `api` whose issuerRef
  //    omits kind and group (no issuer_kind/issuer_group labels) is the tenant's too.
  {
    const broken = (namespace: string, issuer = TENANT_ISSUER) => ({
      stuck: new Certificate({ namespace, name: 'stuck', issuer, issuances: [{ at: 0 }] }),
      legacy: new Certificate({ namespace, name: 'legacy', issuer, issuances: [{ at: 0, lifetime: 72 * HOUR }], notReady: [{ from: HOUR, to: 2 * DAY }] }),
      issuer: new Issuer({ namespace, name: issuer, notReady: [{ from: HOUR, to: 2 * DAY }] }),
    });
    const payments = broken('payments');
    const other = broken('other');
    const foreign = broken('auth', 'acme-public');
    const implicit = new Certificate({ namespace: 'api', name: 'implicit-ref', issuerKind: '', issuerGroup: '', issuances: [{ at: 0 }] });
    // A ClusterIssuer that happens to share the tenant Issuer's name is not the tenant's.
    const cluster = new Certificate({
      namespace: 'payments', name: 'cluster-issued', issuerKind: 'ClusterIssuer', issuances: [{ at: 0, lifetime: 72 * HOUR }], notReady: [{ from: HOUR, to: 2 * DAY }],
    });
    const renewal = payments.stuck.renewalTimes[0];
    const until = renewal + RENEW_BEFORE - 2 * HOUR + MINUTE;
    const always = [alerts.longerLived(payments.legacy)];
    const late = [...always, alerts.notReady(payments.legacy), alerts.issuerNotReady(payments.issuer)];
    scenarios.push(scenario('f. broken certificates alert in the tenant namespace only, not in a non-tenant namespace, under another issuer or a ClusterIssuer', until,
      [
        ...TENANTS.map((tenant) => healthy(tenant, until)),
        ...[payments, other, foreign].flatMap((b) => [b.stuck, b.legacy]),
        implicit,
        cluster,
      ],
      [new Issuer({ namespace: 'auth' }), new Issuer({ namespace: 'api' }), payments.issuer, other.issuer, foreign.issuer], [
        at(30 * MINUTE, ...always),
        at(HOUR + 20 * MINUTE, ...late),
        at(renewal + 2 * HOUR + 6 * MINUTE, ...late, alerts.overdue(payments.stuck), alerts.overdue(implicit)),
        at(until, ...late, ...[payments.stuck, implicit].flatMap((c) => [alerts.overdue(c), alerts.imminent(c)])),
      ]));
  }

  // h. cert-manager before 1.18 exports no notAfter/notBefore: LongerLivedThanPolicy cannot fire, so
  //    LifetimeUnmonitored says so after an hour.
  {
    const until = 2 * HOUR;
    const legacy = TENANTS.map((tenant) => new Certificate({
      namespace: tenant, name: 'mtls', issuances: renewedOnSchedule(FIRST_ISSUED[tenant], until), legacyMetrics: true,
    }));
    const long = new Certificate({ namespace: 'auth', name: 'legacy', issuances: [{ at: 0, lifetime: 72 * HOUR }], legacyMetrics: true });
    scenarios.push(scenario('h. cert-manager < 1.18 (no notAfter/notBefore metrics): LifetimeUnmonitored after 1h', until, [...legacy, long], readyIssuers(), [
      at(0),
      at(59 * MINUTE),
      at(HOUR, alerts.lifetimeUnmonitored()),
      at(until, alerts.lifetimeUnmonitored()),
    ]));
  }

  return scenarios;
}

/** The certificate alerts, as they fire for a given Certificate or Issuer. */
class CertificateAlerts {
  constructor(private readonly book: RuleBook) {}

  public overdue(c: Certificate): ExpectedAlert {
    return this.book.alert('VaultPkiCertificateRenewalOverdue', c.alertLabels);
  }

  public imminent(c: Certificate): ExpectedAlert {
    return this.book.alert('VaultPkiCertificateExpiryImminent', c.alertLabels);
  }

  public longerLived(c: Certificate): ExpectedAlert {
    return this.book.alert('VaultPkiCertificateLongerLivedThanPolicy', c.alertLabels);
  }

  public notReady(c: Certificate): ExpectedAlert {
    return this.book.alert('VaultPkiCertificateNotReady', c.alertLabels);
  }

  public lifetimeUnmonitored(): ExpectedAlert {
    return this.book.alert('VaultPkiCertificateLifetimeUnmonitored', {});
  }

  public issuerNotReady(i: Issuer): ExpectedAlert {
    return this.book.alert('VaultPkiIssuerNotReady', i.alertLabels);
  }
}
