/**
 * The server processes a benchmark loads: started apart from the load generator, waited for,
 * checked, and stopped again.
 */
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { lastLines, sleep } from '../sandbox/processes.ts';
import { REPO_ROOT } from '../sandbox/sandbox.ts';

/** A running server process. */
export interface ServerProcess {
  name: string;
  pid: number;
  /** SIGTERM, then SIGKILL after 5 s; resolves once it has exited. */
  stop(): Promise<void>;
}

/** How to start a server and how to know it is ready. */
export interface ServerSpec {
  name: string;
  /** The program to run (default: this Node.js). */
  command?: string;
  /** Its arguments (to node, by default). */
  args: string[];
  /** Extra environment, e.g. a sandbox's marker so that stopping the sandbox stops the server too. */
  env?: Record<string, string>;
  /** A URL that answers 2xx once the server can take load. */
  readyUrl: string;
  /** POSTed to readyUrl when set; a GET otherwise. */
  readyBody?: string;
  /** The CA of an HTTPS readyUrl. */
  ca?: string;
  /** Where its stdout and stderr go. */
  logFile: string;
}

/** A port on 127.0.0.1 that was free a moment ago. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Sends one request; resolves with the status and the body. */
function send(url: string, body: string | undefined, ca?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const lib = u.protocol === 'https:' ? https : http;
    const req = lib.request(
      u,
      {
        method: body === undefined ? 'GET' : 'POST',
        headers: { 'content-type': 'application/json' },
        timeout: 3_000,
        ...(ca ? { ca } : {}),
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${url} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Starts `node ...args` (or `command ...args`) and waits until readyUrl answers; on failure, stops it and says why. */
export async function startServer(spec: ServerSpec): Promise<ServerProcess> {
  const fd = openSync(spec.logFile, 'a');
  const child = spawn(spec.command ?? process.execPath, spec.args, {
    cwd: REPO_ROOT,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, ...spec.env },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let running = true;
  void exited.then(() => {
    running = false;
  });
  const server: ServerProcess = {
    name: spec.name,
    pid: child.pid ?? -1,
    async stop() {
      if (!running) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    const answer = await send(spec.readyUrl, spec.readyBody, spec.ca).catch(() => undefined);
    if (answer && answer.status >= 200 && answer.status < 300) return server;
    if (!running || Date.now() > deadline) {
      await server.stop();
      const why = running ? 'is not ready after 30 s' : 'exited';
      throw new Error(`the ${spec.name} server ${why}:\n${await lastLines(spec.logFile, 20)}`);
    }
    await sleep(100);
  }
}

/** An AdmissionReview answer, as far as the checks read it. */
export interface Answer {
  ok?: boolean;
  response?: { allowed?: boolean; patch?: string; patchType?: string };
}

/** POSTs body once and checks the answer is 200 and passes `expected`; throws with the answer if not. */
export async function checkAnswer(
  url: string,
  body: string,
  ca: string,
  expected: (answer: Answer) => boolean,
): Promise<void> {
  const answer = await send(url, body, ca);
  let parsed: Answer = {};
  try {
    parsed = JSON.parse(answer.body) as Answer;
  } catch {
    /* reported below */
  }
  if (answer.status !== 200 || !expected(parsed)) {
    throw new Error(`${url} answered ${answer.status} ${answer.body.slice(0, 500)}: not the expected answer`);
  }
}
