/**
 * Bounds for calls made with client-node's typed APIs. Their requests carry no timeout of their
 * own; these options give each one an abort signal, which undici's fetch turns into a destroyed
 * request (its connection closed, not merely given up on), as the API reads of the syncer get
 * from syncer/kube/raw-api.ts.
 */
import { type ConfigurationOptions, Observable, type ObservableMiddleware } from '@kubernetes/client-node';

/** Call options that abort the request when `signal` fires (merged after any others given in `opt`). */
export function abortWith(
  signal: AbortSignal,
  opt?: ConfigurationOptions<ObservableMiddleware>,
): ConfigurationOptions<ObservableMiddleware> {
  const middleware: ObservableMiddleware = {
    pre: (context) => {
      context.setSignal(signal);
      return new Observable(Promise.resolve(context));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
  return { ...opt, middleware: [...(opt?.middleware ?? []), middleware], middlewareMergeStrategy: 'append' };
}

/** Call options that abort the request after `ms`. */
export function timeoutAfter(
  ms: number,
  opt?: ConfigurationOptions<ObservableMiddleware>,
): ConfigurationOptions<ObservableMiddleware> {
  return abortWith(AbortSignal.timeout(ms), opt);
}
