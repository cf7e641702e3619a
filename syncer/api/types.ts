/**
 * The MultiClusterService API, as the syncer imports it: declared once, in lib/mcs-api.ts,
 * for the webhook and the syncer alike.
 */
export * from '../../lib/mcs-api.ts';
