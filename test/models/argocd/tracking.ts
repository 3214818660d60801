/**
 * Resource tracking: how Argo CD marks the objects of an Application and recognises them later.
 *
 * Followed (argo-cd v3.5.1):
 * - util/settings/settings.go GetTrackingMethod: `application.resourceTrackingMethod` unset -> "annotation".
 * - pkg/apis/application/v1alpha1/types.go: TrackingMethodAnnotation / Label / AnnotationAndLabel.
 * - common/common.go: AnnotationKeyAppInstance `argocd.argoproj.io/tracking-id`, LabelKeyAppInstance
 *   `app.kubernetes.io/instance`.
 * - util/argo/resource_tracking.go: SetAppInstance, GetAppName, BuildAppInstanceValue, ParseAppInstanceValue,
 *   UnstructuredToAppInstanceValue.
 * - reposerver/repository/repository.go (~1806): the repo server sets tracking on every rendered object but CRDs.
 * - controller/state.go isSelfReferencedObj: a tracked object is the app's only if the tracking id names it.
 * The installation ID (`argocd.argoproj.io/installation-id`) is not modelled (unset by default).
 */
import { gvkOf, KubeObject } from './cluster';

export const TRACKING_ANNOTATION = 'argocd.argoproj.io/tracking-id';
export const INSTANCE_LABEL = 'app.kubernetes.io/instance';

export type TrackingMethod = 'annotation' | 'label' | 'annotation+label';

/** v3.5.1 default (settings.go GetTrackingMethod). */
export const DEFAULT_TRACKING_METHOD: TrackingMethod = 'annotation';

export interface AppInstanceValue {
  readonly applicationName: string;
  readonly group: string;
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
}

export const WRONG_TRACKING_FORMAT = 'wrong resource tracking format, should be <application-name>:<group>/<kind>:<namespace>/<name>';

/** `<application-name>:<group>/<kind>:<namespace>/<name>` */
export function buildAppInstanceValue(v: AppInstanceValue): string {
  return `${v.applicationName}:${v.group}/${v.kind}:${v.namespace}/${v.name}`;
}

/** Go's strings.SplitN(s, sep, n). */
function splitN(s: string, sep: string, n: number): string[] {
  const parts: string[] = [];
  let rest = s;
  while (parts.length < n - 1) {
    const i = rest.indexOf(sep);
    if (i < 0) break;
    parts.push(rest.slice(0, i));
    rest = rest.slice(i + sep.length);
  }
  parts.push(rest);
  return parts;
}

export function parseAppInstanceValue(value: string): AppInstanceValue {
  const parts = splitN(value, ':', 3);
  if (parts.length !== 3) throw new Error(WRONG_TRACKING_FORMAT);
  const groupParts = parts[1].split('/');
  if (groupParts.length !== 2) throw new Error(WRONG_TRACKING_FORMAT);
  const nsParts = parts[2].split('/');
  if (nsParts.length !== 2) throw new Error(WRONG_TRACKING_FORMAT);
  return { applicationName: parts[0], group: groupParts[0], kind: groupParts[1], namespace: nsParts[0], name: nsParts[1] };
}

/** resource_tracking.go UnstructuredToAppInstanceValue: the destination namespace stands in for an empty namespace. */
export function appInstanceValueOf(obj: KubeObject, appName: string, destinationNamespace: string): AppInstanceValue {
  const { group, kind } = gvkOf(obj);
  return { applicationName: appName, group, kind, namespace: obj.metadata.namespace || destinationNamespace, name: obj.metadata.name ?? '' };
}

/** resource_tracking.go SetAppInstance (mutates). */
export function setAppInstance(
  obj: KubeObject, appName: string, destinationNamespace: string, method: TrackingMethod = DEFAULT_TRACKING_METHOD): void {
  const setAnnotation = () => {
    const value = buildAppInstanceValue(appInstanceValueOf(obj, appName, destinationNamespace));
    obj.metadata.annotations = { ...(obj.metadata.annotations ?? {}), [TRACKING_ANNOTATION]: value };
  };
  const setLabel = (value: string) => {
    obj.metadata.labels = { ...(obj.metadata.labels ?? {}), [INSTANCE_LABEL]: value };
  };
  switch (method) {
    case 'label':
      setLabel(appName);
      return;
    case 'annotation+label':
      setAnnotation();
      setLabel(truncateLabel(appName));
      return;
    default:
      setAnnotation();
  }
}

/** resource_tracking.go TruncateLabel. */
export function truncateLabel(value: string): string {
  if (value.length <= 63) return value;
  let v = value.slice(0, 63);
  while (!/[a-zA-Z0-9]$/.test(v)) {
    if (v.length <= 1) throw new Error('unable to truncate label to not end with a special character');
    v = v.slice(0, -1);
  }
  return v;
}

export function getAppInstance(obj: KubeObject): AppInstanceValue | undefined {
  const value = obj.metadata?.annotations?.[TRACKING_ANNOTATION];
  if (value === undefined) return undefined;
  try {
    return parseAppInstanceValue(value);
  } catch {
    return undefined;
  }
}

/** resource_tracking.go GetAppName: '' when the object is not tracked. */
export function getAppName(obj: KubeObject, method: TrackingMethod = DEFAULT_TRACKING_METHOD): string {
  if (method === 'label') return obj.metadata?.labels?.[INSTANCE_LABEL] ?? '';
  return getAppInstance(obj)?.applicationName ?? '';
}

/** controller/state.go isSelfReferencedObj (the package-level one): the tracking id names this very object. */
export function trackingIdNames(obj: KubeObject, aiv: AppInstanceValue): boolean {
  const { group, kind } = gvkOf(obj);
  const ns = obj.metadata.namespace ?? '';
  return (ns === aiv.namespace || ns === '') && obj.metadata.name === aiv.name && group === aiv.group && kind === aiv.kind;
}

/** controller/state.go appStateManager.isSelfReferencedObj. */
export function isSelfReferencedObj(
  live: KubeObject | undefined, config: KubeObject | undefined, appName: string, method: TrackingMethod = DEFAULT_TRACKING_METHOD): boolean {
  if (!live) return true;
  if (method === 'label') return true;
  if (config) return trackingIdNames(live, appInstanceValueOf(config, appName, ''));
  const aiv = getAppInstance(live);
  return aiv ? trackingIdNames(live, aiv) : true;
}
