/**
 * One of our programs run from source (`node --import tsx <program>/main.ts`), for unit tests
 * that provoke a whole process: all it prints is kept, and a free loopback port is at hand.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** A program from source; all it prints, on stdout and stderr, is kept in `output`. */
export class SourceProgram {
  output = '';
  private done = false;
  private readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(
    private readonly program: 'webhook' | 'syncer' | 'certs',
    args: string[],
  ) {
    this.child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO, program, 'main.ts'), ...args], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        this.output += chunk;
      });
    }
    this.exited = new Promise((resolve) =>
      this.child.once('exit', (code) => {
        this.done = true;
        resolve(code);
      }),
    );
  }

  /** Resolves once the output matches, or rejects with the output so far. */
  async waitFor(pattern: RegExp, ms = 90_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!pattern.test(this.output)) {
      if (this.done || Date.now() > deadline) {
        throw new Error(`no ${pattern} in the output of the ${this.program}:\n${this.output}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGTERM, and waits until it has exited. */
  async stop(): Promise<void> {
    if (!this.done) this.child.kill('SIGTERM');
    await this.exited;
  }
}

/** A port on loopback that was free a moment ago (taken from the system, released for a program to bind). */
export async function freeLoopbackPort(): Promise<number> {
  const s = http.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}
