/**
 * Time as the webhook reads it, passed in so tests control it.
 */

/** A monotonic clock in milliseconds (performance.now() in production). */
export interface Clock {
  now(): number;
}
