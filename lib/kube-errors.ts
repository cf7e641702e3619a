/**
 * Making sense of @kubernetes/client-node errors: the HTTP code, and a one-line
 * description from the API server's Status message instead of ApiException's dump of
 * headers and body.
 */
import { ApiException } from '@kubernetes/client-node';

/** The HTTP status of a failed API call, or undefined for a network error. */
export function httpCode(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  const code = (err as { statusCode?: unknown; code?: unknown } | undefined)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** The Status reason of a failed API call (`AlreadyExists`, `Conflict`…), if the server sent one. */
export function statusReason(err: unknown): string | undefined {
  if (!(err instanceof ApiException)) return undefined;
  const body = parseBody(err.body);
  return typeof body?.reason === 'string' ? body.reason : undefined;
}

/** `<Status message> (HTTP <code>)` for API errors; the message for anything else. */
export function describeApiError(err: unknown): string {
  if (err instanceof ApiException) {
    const body = parseBody(err.body);
    const message = typeof body?.message === 'string' ? body.message : undefined;
    return `${message ?? (typeof err.body === 'string' && err.body.trim() ? err.body.trim() : 'no message')} (HTTP ${err.code})`;
  }
  if (err instanceof Error) {
    // undici's fetch (client-node 2.x) throws `fetch failed`; what failed is in its cause: a
    // code (ECONNREFUSED…) or only a message (`bad port`, for the ports fetch refuses to use).
    const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
    const why = [cause?.code, cause?.message].find((w): w is string => typeof w === 'string' && w !== '');
    return why && !err.message.includes(why) ? `${err.message} (${why})` : err.message;
  }
  return String(err);
}

function parseBody(body: unknown): Record<string, unknown> | undefined {
  if (typeof body === 'string') {
    try {
      const parsed: unknown = JSON.parse(body);
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  }
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : undefined;
}

/** The outcome class of an API call for metrics: the HTTP code, or `error` for a network failure. */
export function resultCode(err: unknown): string {
  return String(httpCode(err) ?? 'error');
}

/**
 * The wait a failed API call's `Retry-After` header asks for (ms): seconds, or an HTTP date
 * measured against `now` (epoch ms). Undefined when there is none, as client-go reads it.
 */
export function retryAfterMs(err: unknown, now: () => number = Date.now): number | undefined {
  if (!(err instanceof ApiException)) return undefined;
  const headers = (err.headers ?? {}) as Record<string, string | undefined>;
  const value = Object.entries(headers)
    .find(([k]) => k.toLowerCase() === 'retry-after')?.[1]
    ?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now());
}
