/**
 * Whether a string can be a Karmada cluster's name, shared by the webhook (which leaves such names
 * out when it converts the deprecated cluster fields) and the syncer (which reads those fields
 * when the webhook has not converted them), so both read the same clusters from an object.
 */

/** Karmada keeps 15 characters for the prefix of a cluster's execution namespace. */
export const CLUSTER_NAME_MAX_LENGTH = 48;

const RFC1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Karmada's rule (pkg/apis/cluster/validation.ValidateClusterName): not empty, at most 48
 * characters, an RFC 1123 label. No Cluster can have a name that breaks it (nor one that is not
 * a string: a null that Karmada's webhook reads as "").
 */
export function canBeClusterName(name: unknown): name is string {
  return (
    typeof name === 'string' &&
    name.length > 0 &&
    name.length <= CLUSTER_NAME_MAX_LENGTH &&
    RFC1123_LABEL.test(name)
  );
}
