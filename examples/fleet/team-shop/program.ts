// A team program of the fleet: the shop team (payments, checkout), in its own repository. See ../team.ts.
import { Construct } from 'constructs';
import { FleetContract } from '../../../src';
import { buildTeam, Team } from '../team';

/** The program's name in the fleet contract. */
export const PROGRAM = 'team-shop';

/** Its tenants. */
export const TEAMS: Team[] = [
  { namespace: 'payments', clusters: ['prod-eu', 'prod-us'], services: ['api', 'ledger'] },
  { namespace: 'checkout', clusters: ['prod-eu', 'prod-us', 'staging'], services: ['web'] },
];

export function buildTeamShop(k8s: Construct, tf: Construct, contract: FleetContract, teams: Team[] = TEAMS) {
  return buildTeam(k8s, tf, contract, teams);
}
