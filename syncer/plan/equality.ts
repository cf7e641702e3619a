/**
 * Structural equality for JSON-like values, blind to key order and to `undefined` members.
 */

/** Whether two JSON-like values are equal (object key order and undefined members ignored). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
  for (const k of keys) if (!sameValue(ra[k], rb[k])) return false;
  return true;
}

/** `T` with `undefined` taken out of every member's type. */
export type Defined<T> = { [K in keyof T]: Exclude<T[K], undefined> };

/** Removes members whose value is undefined (so objects handed to the engine serialize cleanly). */
export function compact<T extends object>(o: T): Defined<T> {
  // A plain loop: this runs once per endpoint copied, and entries/filter/fromEntries
  // allocated three arrays each time (it was the planner's hottest line at 1,000 MCS).
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as Defined<T>;
}
