/**
 * Warnings the validating webhook can give from the object alone. kubectl prints them; they never
 * refuse the object.
 */
import type { MultiClusterService } from './api.ts';

/** Shown when spec.types is LoadBalancer. */
export const LOAD_BALANCER_WARNING =
  'spec.types: LoadBalancer is accepted for compatibility with Karmada, but mcs-bridge does not provision load balancers: this MultiClusterService has no effect';

/** Deprecated fields and the field that replaces each. */
const DEPRECATED_FIELDS = [
  ['serviceProvisionClusters', 'spec.providerClusters'],
  ['serviceConsumptionClusters', 'spec.consumerClusters'],
  ['range', 'spec.consumerClusters'],
] as const;

/**
 * Warnings about the object itself: type LoadBalancer, and deprecated fields still present (the
 * mutating webhook converts them, so they only arrive here when it is not registered).
 */
export function objectWarnings(mcs: MultiClusterService): string[] {
  const warnings: string[] = [];
  const spec = mcs.spec ?? {};
  if ((spec.types ?? []).includes('LoadBalancer')) warnings.push(LOAD_BALANCER_WARNING);
  for (const [field, replacement] of DEPRECATED_FIELDS) {
    if (spec[field] !== undefined && spec[field] !== null) {
      warnings.push(
        `spec.${field} is deprecated and was not converted (is the mutating webhook registered?); set ${replacement} instead`,
      );
    }
  }
  return warnings;
}
