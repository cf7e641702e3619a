/**
 * A fake API behind an informer: it records every list and watch request and lets the test
 * answer them — a list with objects or an error, a watch with events, an end, or a failure.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { ListResult, ListWatchSource, WatchEvent } from '../../../syncer/kube/informer.ts';

/** One watch request the fake holds open. */
export interface OpenWatch<T> {
  readonly resourceVersion: string;
  readonly signal: AbortSignal;
  /** The server accepted it (HTTP 200). */
  open(): void;
  send(e: WatchEvent<T>): void;
  /** The server ends the stream (its timeoutSeconds). */
  end(): void;
  /** The connection fails, or the server refuses the watch. */
  fail(err: Error): void;
}

/** A scripted list answer: objects and a resourceVersion, an error, or no answer until aborted. */
export type ListAnswer<T> = ListResult<T> | Error | 'hang';

/** The fake API; `requests` reads like the API server's access log. */
export function fakeListWatch<T extends KubernetesObject>() {
  const requests: string[] = [];
  const lists: ListAnswer<T>[] = [];
  const watches: OpenWatch<T>[] = [];
  const source: ListWatchSource<T> = {
    async list(signal) {
      requests.push('list');
      const answer = lists.shift() ?? new Error('no list answer scripted');
      if (answer === 'hang')
        return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      if (answer instanceof Error) throw answer;
      return structuredClone(answer);
    },
    watch(resourceVersion, onEvent, onOpen, signal) {
      requests.push(`watch from ${resourceVersion}`);
      return new Promise((resolve, reject) => {
        let done = false;
        const finish = (err?: Error) => {
          if (done) return;
          done = true;
          if (err) reject(err);
          else resolve();
        };
        signal.addEventListener('abort', () => finish(signal.reason as Error));
        watches.push({
          resourceVersion,
          signal,
          open: onOpen,
          send: (e) => {
            if (!done) onEvent(e);
          },
          end: () => finish(),
          fail: (err) => finish(err),
        });
      });
    },
  };
  return {
    source,
    requests,
    /** Scripts the next list answers, in order. */
    answerLists: (...answers: ListAnswer<T>[]) => lists.push(...answers),
    /** The last watch request. */
    lastWatch: (): OpenWatch<T> => {
      const w = watches.at(-1);
      if (!w) throw new Error(`no watch requested yet: ${requests.join(', ')}`);
      return w;
    },
  };
}

/** Lets pending promise callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
}
