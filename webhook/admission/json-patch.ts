/**
 * The few RFC 6902 JSON Patch operations the mutating webhook emits.
 */

/** One JSON Patch operation. */
export type JsonPatchOperation = { op: 'add'; path: string; value: unknown } | { op: 'remove'; path: string };

/** Escapes one segment of a JSON Pointer (RFC 6901): `~` → `~0`, `/` → `~1`. */
export function escapePointerSegment(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** Builds a JSON Pointer from its segments: `['metadata', 'labels', 'a/b']` → `/metadata/labels/a~1b`. */
export function pointer(...segments: readonly string[]): string {
  return segments.map((s) => `/${escapePointerSegment(s)}`).join('');
}

/** Sets the member at path, creating or replacing it. */
export function add(path: string, value: unknown): JsonPatchOperation {
  return { op: 'add', path, value };
}

/** Removes the member at path, which must exist. */
export function remove(path: string): JsonPatchOperation {
  return { op: 'remove', path };
}
