// The variants' builders, loaded on demand: a worker loads only the modules of the variant it runs (the library's
// worker never loads the raw provider classes the baseline imports, and the other way round).
import { ScenarioBuilder, Variant } from './scenarios';

/** Loads the builder of `variant` (and, with it, only the modules that variant needs). */
export async function loadScenario(variant: Variant): Promise<ScenarioBuilder> {
  if (variant === 'library') {
    return (await import('./scenario-library.js')).buildLibraryScenario;
  }
  if (variant === 'floor') {
    return (await import('./scenario-floor.js')).buildFloorScenario;
  }
  return (await import('./scenario-baseline.js')).buildBaselineScenario;
}
