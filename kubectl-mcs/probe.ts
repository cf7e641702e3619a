/**
 * `--probe-from CLUSTER/[NAMESPACE/]KIND/NAME`: from a pod of a consumer, a bounded TCP connect
 * to every remote ready endpoint, through `kubectl exec`'s API (pods/exec) running curl in the
 * pod: the data path the copies point at, tried from where the user's requests start.
 */
import { Writable } from 'node:stream';
import { Exec, type V1Deployment, type V1Pod, type V1Status } from '@kubernetes/client-node';
import type { MemberDefinition } from '../syncer/sources/source.ts';
import { getJson, listAll, type Target } from './api.ts';
import type { DiagnoseFacts, ProbeFacts, ProbeResult } from './facts.ts';
import { memberReady } from './facts.ts';
import type { ProbeTarget } from './options.ts';
import { sourceSlices } from './rows.ts';

/** At most this many endpoints are probed (each takes up to the probe timeout). */
export const MAX_PROBES = 32;

/** An endpoint to connect to. */
export interface ProbeEndpoint {
  readonly provider: string;
  readonly ip: string;
  readonly port: number;
}

/**
 * The remote endpoints a pod of `cluster` would reach: ready ones of every other ready provider,
 * TCP ports; sorted, so that a diagnosis lists them the same way every time.
 */
export function probeEndpoints(
  f: DiagnoseFacts,
  cluster: string,
  providers: readonly string[],
): ProbeEndpoint[] {
  const service = f.mcs.metadata?.name ?? '';
  const out: ProbeEndpoint[] = [];
  for (const m of f.members) {
    if (m.name === cluster || !providers.includes(m.name) || !m.read || !memberReady(m)) continue;
    for (const slice of sourceSlices(m, service)) {
      const ports = (slice.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === 'TCP' && p.port);
      for (const e of slice.endpoints ?? []) {
        if (e.conditions?.ready === false) continue;
        for (const ip of e.addresses ?? [])
          for (const p of ports) out.push({ provider: m.name, ip, port: p.port as number });
      }
    }
  }
  // In a stable order (provider, then address with its numbers compared as numbers, then port),
  // whatever order the provider's EndpointSlice controller listed them in.
  const ipOrder = new Intl.Collator('en', { numeric: true });
  out.sort((a, b) =>
    a.provider !== b.provider
      ? a.provider < b.provider
        ? -1
        : 1
      : ipOrder.compare(a.ip, b.ip) || a.port - b.port,
  );
  return out.slice(0, MAX_PROBES);
}

/** The curl command line of one probe: connect, print connect time and exit code, nothing else. */
export function probeCommand(e: ProbeEndpoint, timeoutMs: number): string[] {
  const host = e.ip.includes(':') ? `[${e.ip}]` : e.ip;
  const seconds = (timeoutMs / 1000).toString();
  return [
    'curl',
    // -v names the socket error ("Connection refused", "Network is unreachable"), which curl's
    // own message folds into "Couldn't connect to server".
    '-sSv',
    '-o',
    '/dev/null',
    '--connect-timeout',
    seconds,
    '--max-time',
    (timeoutMs / 1000 + 1).toString(),
    '-w',
    '%{time_connect} %{exitcode}',
    `http://${host}:${e.port}/`,
  ];
}

/**
 * What one probe's output means. curl's `-w` line is written whatever happened: a connect time
 * above 0 means the TCP connection was made (whatever the protocol then did); exit 7 is a
 * refusal or no route; exit 28 with no connect time is silence until the timeout.
 */
export function classifyProbe(
  stdout: string,
  stderr: string,
  timeoutMs: number,
): Pick<ProbeResult, 'outcome' | 'detail'> {
  const m = /(\d+(?:\.\d+)?) (\d+)\s*$/.exec(stdout.trim());
  const said = stderr.trim().split('\n').pop()?.trim() ?? '';
  if (!m)
    return {
      outcome: 'failed',
      detail: `curl did not run in the pod: ${said || stdout.trim() || 'no output'}`,
    };
  const connect = Number(m[1]);
  const code = Number(m[2]);
  if (connect > 0 || code === 0)
    return { outcome: 'connected', detail: `in ${Math.round(connect * 1000)}ms` };
  if (code === 28) return { outcome: 'unreachable', detail: `no answer within ${timeoutMs / 1000}s` };
  // curl -v names the socket error: "* connect to 10.10.1.1 port 80 failed: Connection refused".
  const socketError = /connect to \S+ port \d+ failed: (.+)$/m.exec(stderr)?.[1]?.trim();
  if (code === 7 && socketError)
    return /refused/i.test(socketError)
      ? { outcome: 'refused', detail: socketError }
      : { outcome: 'unreachable', detail: socketError };
  if (code === 7) return { outcome: 'unreachable', detail: said || 'could not connect' };
  return { outcome: 'failed', detail: `curl exit ${code}: ${said}` };
}

/** The pod a probe target names: itself, or the first running pod of the Deployment. */
export async function resolveProbePod(t: Target, target: ProbeTarget, namespace: string): Promise<V1Pod> {
  const ns = encodeURIComponent(namespace);
  const what = `${target.kind === 'pod' ? 'pod' : 'deployment'} ${namespace}/${target.name} in ${target.cluster}`;
  let pods: V1Pod[];
  if (target.kind === 'pod') {
    const pod = await getJson<V1Pod>(t, `/api/v1/namespaces/${ns}/pods/${encodeURIComponent(target.name)}`, {
      missingOk: true,
    });
    pods = pod ? [pod] : [];
  } else {
    const deploy = await getJson<V1Deployment>(
      t,
      `/apis/apps/v1/namespaces/${ns}/deployments/${encodeURIComponent(target.name)}`,
      { missingOk: true },
    );
    if (!deploy) throw new Error(`--probe-from: no ${what}`);
    const selector = Object.entries(deploy.spec?.selector?.matchLabels ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    if (!selector) throw new Error(`--probe-from: ${what} has no matchLabels to find its pods by`);
    pods = (await listAll<V1Pod>(t, `/api/v1/namespaces/${ns}/pods`, { labelSelector: selector })) ?? [];
  }
  const running = pods
    .filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp)
    .sort((a, b) => ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : 1));
  const pod = running[0];
  if (!pod) throw new Error(`--probe-from: no running pod of ${what}`);
  return pod;
}

/** Runs one command in a pod through the API; resolves with its output, bounded by `deadlineMs`. */
export async function execInPod(
  member: MemberDefinition,
  pod: V1Pod,
  command: string[],
  deadlineMs: number,
): Promise<{ stdout: string; stderr: string; status?: V1Status }> {
  let stdout = '';
  let stderr = '';
  let status: V1Status | undefined;
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer, _enc, done) {
        append(chunk.toString('utf8'));
        done();
      },
    });
  const container = pod.spec?.containers?.[0]?.name ?? '';
  const where = `pod ${pod.metadata?.namespace}/${pod.metadata?.name} in ${member.name}`;
  return new Promise((resolve, reject) => {
    let socket: { close(): void } | undefined;
    const timer = setTimeout(() => {
      socket?.close();
      reject(new Error(`exec in ${where}: no answer within ${deadlineMs / 1000}s`));
    }, deadlineMs);
    new Exec(member.kubeConfig)
      .exec(
        pod.metadata?.namespace ?? '',
        pod.metadata?.name ?? '',
        container,
        command,
        sink((s) => {
          stdout += s;
        }),
        sink((s) => {
          stderr += s;
        }),
        null,
        false,
        (s) => {
          status = s;
        },
      )
      .then(
        (ws) => {
          socket = ws;
          ws.on('close', () => {
            clearTimeout(timer);
            resolve({ stdout, stderr, status });
          });
        },
        (err: Error) => {
          clearTimeout(timer);
          reject(new Error(`exec in ${where}: ${err.message}`));
        },
      );
  });
}

/** Probes every remote endpoint from the target pod, one after the other. */
export async function runProbes(
  f: DiagnoseFacts,
  target: ProbeTarget,
  member: MemberDefinition,
  providers: readonly string[],
  o: { timeoutMs: number; requestTimeoutMs: number },
): Promise<ProbeFacts> {
  const t: Target = { cluster: member.name, kubeConfig: member.kubeConfig, timeoutMs: o.requestTimeoutMs };
  const pod = await resolveProbePod(t, target, target.namespace ?? f.mcs.metadata?.namespace ?? 'default');
  const results: ProbeResult[] = [];
  for (const e of probeEndpoints(f, member.name, providers)) {
    const out = await execInPod(
      member,
      pod,
      probeCommand(e, o.timeoutMs),
      o.timeoutMs + o.requestTimeoutMs + 1000,
    );
    const said = out.stderr || (out.status?.status === 'Failure' ? (out.status.message ?? '') : '');
    results.push({ ...e, ...classifyProbe(out.stdout, said, o.timeoutMs) });
  }
  return {
    from: `${member.name}/${pod.metadata?.namespace}/${pod.metadata?.name}`,
    cluster: member.name,
    timeoutMs: o.timeoutMs,
    results,
  };
}
