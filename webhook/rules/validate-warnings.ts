/**
 * Warnings the validating webhook can give from the object alone. kubectl prints them; they never
 * refuse the object.
 */
import type { MultiClusterService } from '../api.ts';
import { readDeprecated } from './deprecated-clusters.ts';

/** Shown when spec.types is LoadBalancer. */
export const LOAD_BALANCER_WARNING =
  'spec.types: LoadBalancer is accepted for compatibility with Karmada, but mcs-bridge does not provision load balancers: this MultiClusterService has no effect';

/**
 * Warnings about the object itself: type LoadBalancer, and deprecated cluster fields that still
 * hold names (the mutating webhook converts them, so they only arrive here when it is not
 * registered; the syncer then reads them in place, as the warnings say).
 */
export function objectWarnings(mcs: MultiClusterService): string[] {
  const warnings: string[] = [];
  const spec = mcs.spec ?? {};
  if ((spec.types ?? []).includes('LoadBalancer')) warnings.push(LOAD_BALANCER_WARNING);
  for (const field of ['providerClusters', 'consumerClusters'] as const) {
    warnings.push(...readDeprecated(spec, field, 'read in place').warnings);
  }
  return warnings;
}
