/**
 * Readiness probes of the sandbox's servers, and a wait loop that gives up with the
 * component's last log lines when the process died or never became ready.
 */
import http from 'node:http';
import https from 'node:https';
import { isAlive, lastLines, sleep } from './processes.ts';

/** GETs a URL and resolves with the status code and body; never throws on HTTP errors. */
export function probe(
  url: string,
  opts: { ca?: string; token?: string; timeoutMs?: number } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const lib = u.protocol === 'https:' ? https : http;
    const req = lib.get(
      u,
      {
        ca: opts.ca,
        headers: opts.token ? { authorization: `Bearer ${opts.token}` } : {},
        timeout: opts.timeoutMs ?? 3_000,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}

/** What to wait for, and whom to blame if it never comes. */
export interface WaitSpec {
  /** Component name for messages, e.g. `kube-apiserver-hub`. */
  what: string;
  /** Resolves true when ready; may throw while not ready. */
  ready: () => Promise<boolean>;
  pid?: number;
  logFile?: string;
  timeoutMs: number;
}

/** Polls until ready; fails fast when the process exits, with its last log lines. */
export async function waitReady(spec: WaitSpec): Promise<void> {
  const deadline = Date.now() + spec.timeoutMs;
  let lastError = '';
  for (;;) {
    try {
      if (await spec.ready()) return;
    } catch (err) {
      lastError = (err as Error).message;
    }
    const died = spec.pid !== undefined && !(await isAlive(spec.pid));
    if (died || Date.now() > deadline) {
      const why = died ? 'exited during start-up' : `was not ready after ${spec.timeoutMs / 1000} s`;
      const tail = spec.logFile ? await lastLines(spec.logFile) : '';
      throw new Error(
        `${spec.what} ${why}${lastError ? ` (last probe: ${lastError})` : ''}` +
          (tail ? `\nlast lines of ${spec.logFile}:\n${indent(tail)}` : ''),
      );
    }
    await sleep(250);
  }
}

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => `  | ${l}`)
    .join('\n');
}
