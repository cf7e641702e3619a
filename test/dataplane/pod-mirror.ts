/**
 * Keeps one pod namespace with a running HTTP server for every pod of a member that has an
 * IP, the way a kubelet keeps a sandbox and a container per pod. kwok picks the pod IPs
 * (from 10.10.1.1 up) and writes them to the pod status; the mirror builds each namespace
 * with that very IP, so the EndpointSlices the real EndpointSlice controller writes — and the
 * syncer copies into member2 — point at something that answers.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { COMPONENT_ENV, SANDBOX_ENV } from '../sandbox/processes.ts';
import { deleteNetns } from './netns.ts';
import { addPod } from './network.ts';
import { COMPONENT_PREFIX, programArgv } from './processes.ts';
import { type DataPlaneMember, type DataPlaneTopology, podNetns } from './topology.ts';

/** What the mirror has to change: pods (by IP) to remove, pods to build. */
export interface PodPlan {
  remove: string[];
  add: Array<{ ip: string; name: string }>;
}

/**
 * Compares the running pod namespaces (IP → pod name) with the pods in the API. A pod has a
 * namespace while it exists and has an IP, terminating or not (its container would still run);
 * an IP that now belongs to another pod is removed and built again.
 */
export function planPods(running: ReadonlyMap<string, string>, pods: readonly V1Pod[]): PodPlan {
  const wanted = new Map<string, string>();
  for (const pod of pods) {
    const ip = pod.status?.podIP;
    const name = pod.metadata?.name;
    if (ip && name && pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed')
      wanted.set(ip, name);
  }
  const remove = [...running].filter(([ip, name]) => wanted.get(ip) !== name).map(([ip]) => ip);
  const add = [...wanted]
    .filter(([ip, name]) => running.get(ip) !== name)
    .map(([ip, name]) => ({ ip, name }))
    .sort((a, b) => a.ip.localeCompare(b.ip));
  return { remove: remove.sort(), add };
}

interface MirroredPod {
  name: string;
  netns: string;
  server: ChildProcess;
}

/** The pod namespaces and servers of one member, brought in line with the API by {@link PodMirror.sync}. */
export class PodMirror {
  private readonly pods = new Map<string, MirroredPod>();

  constructor(
    private readonly topology: DataPlaneTopology,
    private readonly member: DataPlaneMember,
    private readonly sandboxDir: string,
    private readonly logsDir: string,
    private readonly log: (line: string) => void,
  ) {}

  /** Removes what is gone, then builds what is new (removal first: kwok reuses freed IPs). */
  async sync(pods: readonly V1Pod[]): Promise<void> {
    const running = new Map([...this.pods].map(([ip, p]) => [ip, p.name]));
    const plan = planPods(running, pods);
    for (const ip of plan.remove) await this.remove(ip);
    for (const { ip, name } of plan.add) await this.add(ip, name);
  }

  /** Stops every server and removes every pod namespace of the mirror. */
  async stop(): Promise<void> {
    for (const ip of [...this.pods.keys()]) await this.remove(ip);
  }

  private async add(ip: string, name: string): Promise<void> {
    const netns = podNetns(this.topology, this.member, ip);
    await addPod(this.topology, this.member, ip, netns);
    const component = `${COMPONENT_PREFIX}pod-${name}`;
    const fd = openSync(path.join(this.logsDir, `${component}.log`), 'a');
    try {
      const server = spawn('ip', ['netns', 'exec', netns, ...programArgv('pod-server', [`--name=${name}`])], {
        stdio: ['ignore', fd, fd],
        // The sandbox's marker: `sandbox down` stops it even if this mirror is killed.
        env: { ...process.env, [SANDBOX_ENV]: this.sandboxDir, [COMPONENT_ENV]: component },
      });
      server.on('exit', (code, signal) => {
        if (this.pods.get(ip)?.server === server) {
          this.log(`pod ${name}: server exited (${signal ?? `code ${code}`})`);
        }
      });
      this.pods.set(ip, { name, netns, server });
      this.log(`pod ${name}: namespace ${netns} with ${ip}, server pid ${server.pid}`);
    } finally {
      closeSync(fd);
    }
  }

  private async remove(ip: string): Promise<void> {
    const pod = this.pods.get(ip);
    if (!pod) return;
    this.pods.delete(ip);
    pod.server.kill('SIGKILL');
    await deleteNetns(pod.netns); // kills anything else inside, then the veth and routes go
    this.log(`pod ${pod.name}: gone; removed ${pod.netns} (${ip})`);
  }
}
