/**
 * AppProject checks the application controller and the ApplicationSet controller make.
 *
 * Followed (argo-cd v3.5.1):
 * - pkg/apis/application/v1alpha1/app_project_types.go: IsGroupKindNamePermitted, IsDestinationPermitted,
 *   isDestinationMatched, globMatch/isDenyPattern, IsSourcePermitted, IsAppNamespacePermitted.
 * - pkg/apis/application/v1alpha1/types.go: isResourceInList / isNamedResourceInList (filepath.Match).
 * - server/server.go initializeDefaultProject: the `default` project Argo CD creates.
 * - util/argo/argo.go ValidatePermissions (app-level: repo and destination), controller/sync.go
 *   validateSyncPermissions (per resource, during the sync's task generation).
 * Approximated: git.NormalizeGitURL (lower-cased, trailing `.git` and `/` dropped), gobwas/glob (`*`, `?`, `[...]`,
 * `{a,b}`), PermitOnlyProjectScopedClusters and project-scoped clusters (not modelled).
 */

export interface ApplicationDestination {
  readonly server?: string;
  readonly name?: string;
  readonly namespace?: string;
}

export interface GroupKindPattern {
  readonly group: string;
  readonly kind: string;
}

export interface ClusterResourceRestriction extends GroupKindPattern {
  readonly name?: string;
}

export interface AppProject {
  readonly name: string;
  readonly sourceRepos?: string[];
  readonly destinations?: ApplicationDestination[];
  /** Empty or absent: no cluster-scoped kind is allowed. */
  readonly clusterResourceWhitelist?: ClusterResourceRestriction[];
  readonly clusterResourceBlacklist?: ClusterResourceRestriction[];
  /** Absent (nil): every namespaced kind is allowed; `[]`: none. */
  readonly namespaceResourceWhitelist?: GroupKindPattern[];
  readonly namespaceResourceBlacklist?: GroupKindPattern[];
  /** Namespaces other than Argo CD's own whose Applications may use the project. */
  readonly sourceNamespaces?: string[];
}

/** The project Argo CD's API server creates at start (server/server.go initializeDefaultProject). */
export function defaultProject(): AppProject {
  return {
    name: 'default',
    sourceRepos: ['*'],
    destinations: [{ server: '*', namespace: '*' }],
    clusterResourceWhitelist: [{ group: '*', kind: '*' }],
  };
}

function escapeRegex(c: string): string {
  return c.replace(/[.+^$()|\\/]/g, (m) => `\\${m}`);
}

/** gobwas/glob: `*` any run and `?` one char (neither crosses a separator), `[...]` / `[!...]` classes, `{a,b}` alternatives. */
export function gobwasMatch(pattern: string, value: string, separators = ''): boolean {
  const notSep = separators ? `[^${separators.replace(/[\]^-]/g, (m) => `\\${m}`)}]` : '.';
  let re = '';
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) {
      re += escapeRegex(pattern[++i]);
    } else if (c === '*') {
      re += `${notSep}*`;
    } else if (c === '?') {
      re += notSep;
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) return false;
      let body = pattern.slice(i + 1, end);
      if (body.startsWith('!')) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (c === '{') {
      depth++;
      re += '(?:';
    } else if (c === '}' && depth > 0) {
      depth--;
      re += ')';
    } else if (c === ',' && depth > 0) {
      re += '|';
    } else {
      re += escapeRegex(c);
    }
  }
  if (depth !== 0) return false;
  return new RegExp(`^${re}$`).test(value);
}

/** Go's path/filepath.Match on Unix: `*` and `?` do not match `/`; `[^...]` negates; malformed -> no match. */
export function filepathMatch(pattern: string, name: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) {
      re += escapeRegex(pattern[++i]);
    } else if (c === '*') {
      re += '[^/]*';
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) return false;
      re += `[${pattern.slice(i + 1, end)}]`;
      i = end;
    } else {
      re += escapeRegex(c);
    }
  }
  try {
    return new RegExp(`^${re}$`).test(name);
  } catch {
    return false;
  }
}

function isDenyPattern(pattern: string): boolean {
  return pattern.startsWith('!');
}

/** app_project_types.go globMatch. */
export function globMatch(pattern: string, value: string, allowNegation: boolean, separators = ''): boolean {
  if (allowNegation && isDenyPattern(pattern)) return !gobwasMatch(pattern.slice(1), value, separators);
  if (pattern === '*') return true;
  return gobwasMatch(pattern, value, separators);
}

function isResourceInList(group: string, kind: string, list: GroupKindPattern[]): boolean {
  return list.some((item) => filepathMatch(item.kind, kind) && filepathMatch(item.group, group));
}

function isNamedResourceInList(group: string, kind: string, name: string, list: ClusterResourceRestriction[]): boolean {
  return list.some((item) => filepathMatch(item.kind, kind) && filepathMatch(item.group, group) && (!item.name || filepathMatch(item.name, name)));
}

/** app_project_types.go IsGroupKindNamePermitted. */
export function isGroupKindNamePermitted(project: AppProject, group: string, kind: string, name: string, namespaced: boolean): boolean {
  if (namespaced) {
    const wl = project.namespaceResourceWhitelist;
    const bl = project.namespaceResourceBlacklist ?? [];
    const white = wl === undefined || (wl.length !== 0 && isResourceInList(group, kind, wl));
    const black = bl.length !== 0 && isResourceInList(group, kind, bl);
    return white && !black;
  }
  const wl = project.clusterResourceWhitelist ?? [];
  const bl = project.clusterResourceBlacklist ?? [];
  const white = wl.length !== 0 && isNamedResourceInList(group, kind, name, wl);
  const black = bl.length !== 0 && isNamedResourceInList(group, kind, name, bl);
  return white && !black;
}

/** app_project_types.go isDestinationMatched / IsDestinationPermitted (without project-scoped clusters). */
export function isDestinationPermitted(project: AppProject, cluster: { name?: string; server?: string }, namespace: string): boolean {
  const dst = { name: cluster.name ?? '', server: cluster.server ?? '', namespace };
  let any = false;
  for (const item of project.destinations ?? []) {
    const nameMatched = dst.name !== '' && globMatch(item.name ?? '', dst.name, true);
    const serverMatched = dst.server !== '' && globMatch(item.server ?? '', dst.server, true);
    const nsMatched = globMatch(item.namespace ?? '', dst.namespace, true);
    const matched = (serverMatched || nameMatched) && nsMatched;
    if (matched) {
      any = true;
    } else if ((!nameMatched && isDenyPattern(item.name ?? '')) || (!serverMatched && isDenyPattern(item.server ?? '') && nsMatched)) {
      return false;
    } else if (!nsMatched && isDenyPattern(item.namespace ?? '') && serverMatched) {
      return false;
    }
  }
  return any;
}

function normalizeGitUrl(url: string): string {
  return url.trim().toLowerCase().replace(/\/+$/, '').replace(/\.git$/, '');
}

/** app_project_types.go IsSourcePermitted: `*` does not cross `/`; a `!` pattern the repository matches denies it. */
export function isSourcePermitted(project: AppProject, repoURL: string): boolean {
  const src = normalizeGitUrl(repoURL);
  let any = false;
  for (const repo of project.sourceRepos ?? []) {
    const normalized = isDenyPattern(repo) ? `!${normalizeGitUrl(repo.slice(1))}` : normalizeGitUrl(repo);
    const matched = globMatch(normalized, src, true, '/');
    if (matched) any = true;
    else if (isDenyPattern(normalized)) return false;
  }
  return any;
}

/** app_project_types.go IsAppNamespacePermitted: Applications in Argo CD's own namespace may use any project. */
export function isAppNamespacePermitted(project: AppProject, appNamespace: string | undefined, controllerNamespace: string): boolean {
  if (!appNamespace || appNamespace === controllerNamespace) return true;
  return (project.sourceNamespaces ?? []).some((p) => gobwasMatch(p, appNamespace));
}
