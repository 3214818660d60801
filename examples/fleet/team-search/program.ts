// A team program of the fleet: the search team (search, catalog), in its own repository. See ../team.ts.
import { Construct } from 'constructs';
import { FleetContract } from '../../../src';
import { buildTeam, Team } from '../team';

/** The program's name in the fleet contract. */
export const PROGRAM = 'team-search';

/** Its tenants. */
export const TEAMS: Team[] = [
  { namespace: 'search', clusters: ['staging'], services: ['indexer', 'query'] },
  { namespace: 'catalog', clusters: ['prod-eu', 'staging'], services: ['feed'] },
];

export function buildTeamSearch(k8s: Construct, tf: Construct, contract: FleetContract, teams: Team[] = TEAMS) {
  return buildTeam(k8s, tf, contract, teams);
}
