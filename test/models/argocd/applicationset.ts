/**
 * The ApplicationSet controller: list generator, template rendering, and how it creates, updates and deletes the
 * Applications it owns.
 *
 * Followed (argo-cd v3.5.1):
 * - applicationset/controllers/applicationset_controller.go Reconcile (generate -> validate -> createOrUpdateInCluster
 *   -> deleteInCluster; a generation error aborts the whole reconcile), validateGeneratedApplications (duplicate
 *   names, project exists in Argo CD's namespace, destination resolves), createOrUpdateInCluster (mutate sets the
 *   spec, labels, annotations, finalizers and `controllerutil.SetControllerReference`), getCurrentApplications (the
 *   `.metadata.controller` index: Applications whose controller owner reference names this ApplicationSet),
 *   deleteInCluster, firstAppError.
 * - applicationset/utils/createOrUpdate.go CreateOrUpdate + mutate ("error while wrapping using MutateFn: ...").
 * - sigs.k8s.io/controller-runtime v0.24.1 pkg/controller/controllerutil/controllerutil.go SetControllerReference,
 *   AlreadyOwnedError, referSameObject (group, kind and NAME of the owner; not its UID).
 * - applicationset/generators/list.go GenerateParams; applicationset/controllers/template/template.go
 *   GenerateApplications (app namespace forced to the ApplicationSet's); applicationset/utils/utils.go
 *   RenderTemplateParams (every string and map key of the template; the resources finalizer added unless the
 *   template has finalizers or `syncPolicy.preserveResourcesOnDeletion`), Replace (goTemplate / fasttemplate).
 * - applicationset/utils/policy.go: default policy `sync` (create, update, delete).
 * - util/argo/argo.go NormalizeApplicationSpec (empty project -> `default`), GetDestinationServer.
 * Go templates: only field chains (`{{ .a.b }}`) are modelled, with Go's error texts for a missing key and a field of
 * a non-map; any other action (functions, pipelines, if/range) throws "not modelled". Not modelled: other generators,
 * templatePatch, progressive sync, ignoreApplicationDifferences, preservedFields.
 */
import { ApplicationDestination } from './project';

export const RESOURCES_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

export interface OwnerReference {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly uid?: string;
  readonly controller?: boolean;
  readonly blockOwnerDeletion?: boolean;
}

/** An Application object as the ApplicationSet controller writes it. */
export interface ApplicationObject {
  apiVersion: 'argoproj.io/v1alpha1';
  kind: 'Application';
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
    ownerReferences?: OwnerReference[];
  };
  spec: any;
}

export interface ApplicationSetEnv {
  /** Argo CD's namespace (where AppProjects live). Default `argocd`. */
  readonly argocdNamespace?: string;
  /** AppProjects that exist. Default ['default']. */
  readonly projects?: string[];
  /** Argo CD cluster secrets. */
  readonly clusters: Array<{ name: string; server: string }>;
}

const ARGO_APP_VERSION = 'argoproj.io/v1alpha1';

function deepCopy<T>(v: T): T {
  return v === undefined ? v : JSON.parse(JSON.stringify(v));
}

// ---------------------------------------------------------------------------------------------------------------
// Templates.

/** Go's fmt %v of a template value (enough for strings, numbers, booleans, maps and slices). */
function goPrint(v: any): string {
  if (v === undefined || v === null) return '<no value>';
  if (Array.isArray(v)) return `[${v.map(goPrint).join(' ')}]`;
  if (typeof v === 'object') return `map[${Object.keys(v).sort().map((k) => `${k}:${goPrint(v[k])}`).join(' ')}]`;
  return String(v);
}

function missingKeyOption(options: string[]): string {
  let mode = 'default';
  for (const o of options) if (o.startsWith('missingkey=')) mode = o.slice('missingkey='.length);
  return mode;
}

/** utils.go Render.Replace with goTemplate: text/template named "base" with `options`. */
export function renderGoTemplate(tmpl: string, params: Record<string, any>, options: string[] = []): string {
  const mode = missingKeyOption(options);
  let out = '';
  let i = 0;
  while (i < tmpl.length) {
    const open = tmpl.indexOf('{{', i);
    if (open < 0) {
      out += tmpl.slice(i);
      break;
    }
    out += tmpl.slice(i, open);
    const close = tmpl.indexOf('}}', open + 2);
    if (close < 0) throw new Error(`failed to parse template ${tmpl}: template: base:${lineOf(tmpl, open)}: unclosed action`);
    const inner = tmpl.slice(open + 2, close);
    const leading = inner.length - inner.trimStart().length;
    const action = inner.trim();
    const actionStart = open + 2 + leading;
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(action)) {
      throw new Error(`failed to parse template ${tmpl}: template: base:${lineOf(tmpl, actionStart)}: function "${action}" not defined`);
    }
    if (!/^(\.[A-Za-z_][A-Za-z0-9_]*)+$/.test(action)) throw new Error(`argocd model: go template action {{${inner}}} is not modelled`);
    const fields = action.slice(1).split('.');
    // text/template/parse: a chain's position is that of its second field; a single field's is its own.
    const position = fields.length > 1 ? actionStart + fields[0].length + 1 : actionStart;
    const fail = (why: string) => new Error(
      `failed to execute go template ${tmpl}: template: base:${lineOf(tmpl, position)}:${columnOf(tmpl, position)}: executing "base" at <${action}>: ${why}`);
    let value: any = params;
    let printed: string | undefined;
    for (const f of fields) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) throw fail(`can't evaluate field ${f} in type interface {}`);
      if (!(f in value)) {
        if (mode === 'error') throw fail(`map has no entry for key "${f}"`);
        printed = '<no value>';
        break;
      }
      value = value[f];
    }
    out += printed ?? goPrint(value);
    i = close + 2;
  }
  return out;
}

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

function columnOf(text: string, offset: number): number {
  const nl = text.lastIndexOf('\n', offset - 1);
  return nl >= 0 ? offset - nl - 1 : offset;
}

/** utils.go Render.Replace without goTemplate (fasttemplate): `{{ key }}` with a string value, else left as is. */
export function renderFastTemplate(tmpl: string, params: Record<string, any>): string {
  if (!/\{\{.*\}\}/.test(tmpl)) return tmpl;
  return tmpl.replace(/\{\{(.*?)\}\}/g, (whole, tag: string) => {
    const v = params[tag.trim()];
    return tag.trim() !== '' && typeof v === 'string' ? v : whole;
  });
}

export function renderString(tmpl: string, params: Record<string, any>, goTemplate: boolean, options: string[] = []): string {
  return goTemplate ? renderGoTemplate(tmpl, params, options) : renderFastTemplate(tmpl, params);
}

function deepReplace(value: any, render: (s: string) => string): any {
  if (typeof value === 'string') return render(value);
  if (Array.isArray(value)) return value.map((v) => deepReplace(v, render));
  if (value && typeof value === 'object') {
    const out: Record<string, any> = {};
    for (const [k, v] of Object.entries(value)) out[render(k)] = deepReplace(v, render);
    return out;
  }
  return value;
}

/** The template as an Application (template.go GetTempApplication). */
export interface ApplicationTemplate {
  metadata: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[] };
  spec: any;
}

/** utils.go RenderTemplateParams. */
export function renderTemplateParams(
  tmpl: ApplicationTemplate, appSetSyncPolicy: { preserveResourcesOnDeletion?: boolean } | undefined, params: Record<string, any>,
  goTemplate: boolean, options: string[] = []): ApplicationTemplate {
  if (Object.keys(params).length === 0) return tmpl;
  const rendered = deepReplace(deepCopy(tmpl), (s) => renderString(s, params, goTemplate, options)) as ApplicationTemplate;
  if (!appSetSyncPolicy?.preserveResourcesOnDeletion && (rendered.metadata.finalizers ?? []).length === 0) {
    rendered.metadata.finalizers = [RESOURCES_FINALIZER];
  }
  return rendered;
}

/** generators/list.go GenerateParams. */
export function listGeneratorParams(list: { elements?: any[]; elementsYaml?: string }, goTemplate: boolean): Array<Record<string, any>> {
  if (list.elementsYaml) throw new Error('argocd model: list.elementsYaml is not modelled');
  return (list.elements ?? []).map((element) => {
    if (goTemplate) return deepCopy(element);
    const params: Record<string, any> = {};
    for (const [k, v] of Object.entries(element as Record<string, any>)) {
      if (k === 'values') {
        for (const [vk, vv] of Object.entries(v as Record<string, any>)) {
          if (typeof vv !== 'string') throw new Error('error parsing value as string');
          params[`values.${vk}`] = vv;
        }
      } else {
        if (typeof v !== 'string') throw new Error('error parsing value as string');
        params[k] = v;
      }
    }
    return params;
  });
}

/** template.go GenerateApplications (list generators only). */
export function generateApplications(appSet: any): { apps: ApplicationObject[]; error?: { reason: string; message: string } } {
  const spec = appSet.spec ?? {};
  const goTemplate = !!spec.goTemplate;
  const options: string[] = spec.goTemplateOptions ?? [];
  const apps: ApplicationObject[] = [];
  let error: { reason: string; message: string } | undefined;
  for (const generator of spec.generators ?? []) {
    if (!generator.list) throw new Error(`argocd model: generator ${Object.keys(generator).join(',')} is not modelled`);
    const template: ApplicationTemplate = { metadata: deepCopy(spec.template?.metadata ?? {}), spec: deepCopy(spec.template?.spec ?? {}) };
    if (generator.list.template) throw new Error('argocd model: a generator-level template is not modelled');
    for (const params of listGeneratorParams(generator.list, goTemplate)) {
      let rendered: ApplicationTemplate;
      try {
        rendered = renderTemplateParams(template, spec.syncPolicy, params, goTemplate, options);
      } catch (e) {
        error = error ?? { reason: 'RenderTemplateParamsError', message: (e as Error).message };
        continue;
      }
      apps.push({
        apiVersion: ARGO_APP_VERSION,
        kind: 'Application',
        metadata: { ...rendered.metadata, name: rendered.metadata.name ?? '', namespace: appSet.metadata.namespace },
        spec: rendered.spec,
      });
    }
  }
  return { apps, error };
}

// ---------------------------------------------------------------------------------------------------------------
// Reconcile.

function destinationError(dest: ApplicationDestination, env: ApplicationSetEnv): string | undefined {
  if (dest.name && dest.server) return `application destination can't have both name and server defined: ${dest.name} ${dest.server}`;
  if (dest.server) {
    const server = dest.server.replace(/\/+$/, '');
    return env.clusters.some((c) => c.server === server) ? undefined : `error getting cluster by server "${dest.server}": cluster "${server}" not found`;
  }
  if (dest.name) {
    const matches = env.clusters.filter((c) => c.name === dest.name);
    if (matches.length === 0) return `there are no clusters with this name: ${dest.name}`;
    if (matches.length > 1) return `there are ${matches.length} clusters with the same name: [${matches.map((c) => c.server).join(' ')}]`;
    return undefined;
  }
  return 'Destination server missing from app spec';
}

function qualified(app: ApplicationObject): string {
  return app.metadata.namespace ? `${app.metadata.namespace}/${app.metadata.name}` : app.metadata.name;
}

/** applicationset_controller.go validateGeneratedApplications: errors by qualified app name. */
export function validateGeneratedApplications(apps: ApplicationObject[], appSetName: string, env: ApplicationSetEnv): Record<string, string> {
  const errors: Record<string, string> = {};
  const names = new Set<string>();
  const projects = env.projects ?? ['default'];
  for (const app of apps) {
    if (names.has(app.metadata.name)) {
      errors[qualified(app)] = `ApplicationSet ${appSetName} contains applications with duplicate name: ${app.metadata.name}`;
      continue;
    }
    names.add(app.metadata.name);
    if (!projects.includes(app.spec?.project)) {
      errors[qualified(app)] = `application references project ${app.spec?.project} which does not exist`;
      continue;
    }
    const dest = destinationError(app.spec?.destination ?? {}, env);
    if (dest) errors[qualified(app)] = `application destination spec is invalid: ${dest}`;
  }
  return errors;
}

function controllerOf(app: ApplicationObject): OwnerReference | undefined {
  return (app.metadata.ownerReferences ?? []).find((r) => r.controller);
}

function ownedBy(app: ApplicationObject, appSet: any): boolean {
  const owner = controllerOf(app);
  return !!owner && owner.apiVersion === ARGO_APP_VERSION && owner.kind === 'ApplicationSet' && owner.name === appSet.metadata.name
    && app.metadata.namespace === appSet.metadata.namespace;
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function normalizeSpec(spec: any): any {
  const s = deepCopy(spec ?? {});
  if (!s.project) s.project = 'default';
  return s;
}

/** controller-runtime SetControllerReference (the owner is compared by group, kind and name). */
function setControllerReference(appSet: any, app: ApplicationObject): string | undefined {
  const ref: OwnerReference = {
    apiVersion: ARGO_APP_VERSION,
    kind: 'ApplicationSet',
    name: appSet.metadata.name,
    uid: appSet.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
  const existing = controllerOf(app);
  if (existing) {
    if (!(groupOf(existing.apiVersion) === 'argoproj.io' && existing.kind === ref.kind && existing.name === ref.name)) {
      return `Object ${app.metadata.namespace}/${app.metadata.name} is already owned by another ${existing.kind} controller ${existing.name}`;
    }
  }
  const refs = (app.metadata.ownerReferences ?? []).filter((r) => !(r.kind === ref.kind && r.name === ref.name && groupOf(r.apiVersion) === 'argoproj.io'));
  app.metadata.ownerReferences = [...refs, ref];
  return undefined;
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}

export type AppAction = 'created' | 'updated' | 'unchanged' | 'deleted';

export interface ReconcileOutcome {
  readonly appSet: string;
  readonly generated: string[];
  readonly actions: Record<string, AppAction>;
  /** Errors by Application name (validation, create/update, delete). */
  readonly errors: Record<string, string>;
  /** The ApplicationSet's condition after the reconcile. */
  readonly condition: { type: 'ErrorOccurred' | 'ResourcesUpToDate'; reason: string; message: string };
  /** Applications deleted WITH the resources finalizer: Argo CD deletes their resources from the cluster. */
  readonly cascadeDeleted: string[];
}

/**
 * applicationset_controller.go Reconcile of one ApplicationSet against the Applications in the cluster (mutated in
 * place: `applications` is the store of Application objects in Argo CD's namespace).
 */
export function reconcileApplicationSet(appSet: any, applications: ApplicationObject[], env: ApplicationSetEnv): ReconcileOutcome {
  const name = `${appSet.metadata.namespace}/${appSet.metadata.name}`;
  const { apps: generated, error } = generateApplications(appSet);
  const actions: Record<string, AppAction> = {};
  const errors: Record<string, string> = {};
  if (error) {
    return {
      appSet: name,
      generated: [],
      actions,
      errors,
      cascadeDeleted: [],
      condition: { type: 'ErrorOccurred', reason: error.reason, message: error.message },
    };
  }
  const validation = validateGeneratedApplications(generated, appSet.metadata.name, env);
  const valid = generated.filter((a) => !validation[qualified(a)]).sort((a, b) => (a.metadata.name < b.metadata.name ? -1 : 1));
  let condition: ReconcileOutcome['condition'] = { type: 'ResourcesUpToDate', reason: 'ApplicationSetUpToDate', message: 'All applications have been generated successfully' };
  const validationNames = Object.keys(validation).sort();
  if (validationNames.length > 0) {
    let message = validation[validationNames[validationNames.length - 1]];
    if (validationNames.length > 1) message = `${message} (and ${validationNames.length - 1} more)`;
    condition = { type: 'ErrorOccurred', reason: 'ApplicationValidationError', message };
    for (const q of validationNames) errors[q.split('/').pop()!] = validation[q];
  }

  const updateErrors = createOrUpdateInCluster(appSet, valid, applications, actions);
  const firstUpdateError = Object.keys(updateErrors).sort()[0];
  Object.assign(errors, updateErrors);
  if (firstUpdateError !== undefined) {
    // Reconcile returns the error: ErrorOccurred / UpdateApplicationError, nothing deleted, requeued with backoff.
    return {
      appSet: name,
      generated: generated.map((a) => a.metadata.name),
      actions,
      errors,
      cascadeDeleted: [],
      condition: { type: 'ErrorOccurred', reason: 'UpdateApplicationError', message: updateErrors[firstUpdateError] },
    };
  }
  const cascadeDeleted = deleteInCluster(appSet, generated.map((a) => a.metadata.name), applications, env, actions);
  return { appSet: name, generated: generated.map((a) => a.metadata.name), actions, errors, cascadeDeleted, condition };
}

/**
 * applicationset_controller.go createOrUpdateInCluster over the store `applications` (mutated): errors by app name.
 * `actions` receives created / updated / unchanged.
 */
export function createOrUpdateInCluster(
  appSet: any, desiredApps: ApplicationObject[], applications: ApplicationObject[], actions: Record<string, AppAction> = {}): Record<string, string> {
  const updateErrors: Record<string, string> = {};
  for (const desired of desiredApps) {
    const index = applications.findIndex((a) => a.metadata.namespace === desired.metadata.namespace && a.metadata.name === desired.metadata.name);
    const found: ApplicationObject = index >= 0 ? deepCopy(applications[index]) : {
      apiVersion: ARGO_APP_VERSION, kind: 'Application', metadata: { name: desired.metadata.name, namespace: desired.metadata.namespace }, spec: {},
    };
    const before = JSON.stringify(found);
    found.spec = normalizeSpec(desired.spec);
    found.metadata.labels = desired.metadata.labels;
    found.metadata.annotations = desired.metadata.annotations;
    found.metadata.finalizers = desired.metadata.finalizers;
    const ownerError = setControllerReference(appSet, found);
    if (ownerError) {
      updateErrors[desired.metadata.name] = `error while wrapping using MutateFn: ${ownerError}`;
      continue;
    }
    if (index < 0) {
      if (!DNS1123_SUBDOMAIN.test(found.metadata.name) || found.metadata.name.length > 253) {
        updateErrors[desired.metadata.name] = `Application.argoproj.io "${found.metadata.name}" is invalid: metadata.name: Invalid value: "${found.metadata.name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;
        continue;
      }
      applications.push(found);
      actions[desired.metadata.name] = 'created';
    } else if (JSON.stringify(found) === before) {
      actions[desired.metadata.name] = 'unchanged';
    } else {
      applications[index] = found;
      actions[desired.metadata.name] = 'updated';
    }
  }
  return updateErrors;
}

/**
 * applicationset_controller.go deleteInCluster: deletes the Applications this ApplicationSet controls that are not in
 * `keepNames` (the generated ones, valid or not). Returns those deleted with the resources finalizer (cascade).
 */
export function deleteInCluster(
  appSet: any, keepNames: string[], applications: ApplicationObject[], env: ApplicationSetEnv, actions: Record<string, AppAction> = {}): string[] {
  const keep = new Set(keepNames);
  const cascadeDeleted: string[] = [];
  for (const app of [...applications]) {
    if (!ownedBy(app, appSet) || keep.has(app.metadata.name)) continue;
    const destError = destinationError(app.spec?.destination ?? {}, env);
    if (destError) app.metadata.finalizers = (app.metadata.finalizers ?? []).filter((f) => f !== RESOURCES_FINALIZER);
    if ((app.metadata.finalizers ?? []).includes(RESOURCES_FINALIZER)) cascadeDeleted.push(app.metadata.name);
    applications.splice(applications.indexOf(app), 1);
    actions[app.metadata.name] = 'deleted';
  }
  return cascadeDeleted;
}

export interface AppSetStep extends ReconcileOutcome {
  /** Whether applying this ApplicationSet replaced an existing one of the same namespace/name. */
  readonly replacedExisting: boolean;
}

/**
 * Applies ApplicationSet objects one after the other (a later one with the same namespace/name replaces the earlier,
 * as `kubectl apply` or a sync would) and reconciles each right after it is applied.
 */
export function applicationSetReconcile(appSets: any[], existingApplications: ApplicationObject[], env: ApplicationSetEnv): {
  steps: AppSetStep[]; applications: ApplicationObject[]; appSets: any[];
} {
  const applications = deepCopy(existingApplications);
  const store: any[] = [];
  const steps: AppSetStep[] = [];
  for (const appSet of appSets) {
    const copy = deepCopy(appSet);
    copy.metadata.namespace = copy.metadata.namespace ?? env.argocdNamespace ?? 'argocd';
    const index = store.findIndex((s) => s.metadata.namespace === copy.metadata.namespace && s.metadata.name === copy.metadata.name);
    if (index >= 0) store[index] = copy;
    else store.push(copy);
    steps.push({ ...reconcileApplicationSet(copy, applications, env), replacedExisting: index >= 0 });
  }
  return { steps, applications, appSets: store };
}
