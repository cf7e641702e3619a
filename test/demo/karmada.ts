/**
 * `make demo-karmada`: the seed guide, verbatim, on the Karmada sandbox (started by the make
 * target with `--karmada`). mcs-bridge is installed the Karmada way, by the install block of docs/install.md:
 * the chart's karmada-apiserver half on the hub, its karmada-host half in
 * karmada-host, and the karmada-host Deployment's two containers run as local processes (the
 * sandbox has no container runtime) with the flags, environment and files it renders. Then the
 * guide's manifests go to karmada-apiserver, in its order, and the demo prints what the guide
 * shows. Running it again starts over; `make sandbox-down` stops everything.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { KarmadaInstall, NAMESPACE, PROCESS_PREFIX } from '../e2e/harness/karmada-install.ts';
import { readyAddresses, slicesIn } from '../e2e/harness/syncer.ts';
import { freePort } from '../sandbox/our-processes.ts';
import { findSandboxProcesses, stopProcess } from '../sandbox/processes.ts';
import { REPO_ROOT, Sandbox } from '../sandbox/sandbox.ts';
import { eventually, kubectl } from '../sandbox/testing.ts';

const say = (line = '') => process.stdout.write(`${line}\n`);
const sb = await Sandbox.attach();
if (!sb.karmada)
  throw new Error(`the sandbox in ${sb.layout.dir} runs no Karmada: start it with make sandbox-up KARMADA=1`);
const k = (args: string[], input?: string) => kubectl(sb, args, input);
const dir = path.join(sb.layout.dir, 'demo-karmada');

// A second run starts over: the first run's objects (withdrawn by its syncer if it still
// runs), processes and releases go.
const inst = new KarmadaInstall(sb, dir);
const kh = (...args: string[]) => k(['--context', 'karmada-apiserver', ...args]);
await kh(
  'delete',
  '-f',
  path.join(REPO_ROOT, 'test/fixtures/seed-karmada'),
  '--ignore-not-found',
  '--wait=false',
);
await eventually(
  'the previous MultiClusterService withdrawn',
  async () => {
    if ((await kh('get', 'mcs', '--ignore-not-found', '-o', 'name')).trim()) throw new Error('still there');
  },
  { timeoutMs: 20_000 },
).catch(() =>
  // Its syncer is gone: release the finalizer (the next syncer removes the copies it left).
  kh('patch', 'mcs', 'nginx', '--type=merge', '-p', '{"metadata":{"finalizers":null}}'),
);
for (const p of await findSandboxProcesses(sb.layout.dir)) {
  if (p.component.startsWith(PROCESS_PREFIX)) await stopProcess(p.pid);
}
await inst.teardown();
await rm(dir, { recursive: true, force: true });

say(
  'mcs-bridge demo on Karmada: install the chart the Karmada way (docs/install.md § On a Karmada control plane)',
);
const [port, healthPort, metricsPort] = [await freePort(sb), await freePort(sb), await freePort(sb)];
await inst.install({
  replicas: 1,
  // karmada-apiserver reaches the webhook process on loopback, not through a Service.
  webhook: { port, healthPort, url: `https://127.0.0.1:${port}` },
  syncer: { metricsPort, clusterHealthInterval: '2s' },
});
say('mcs-bridge demo on Karmada: the webhook and the syncer, as the karmada-host Deployment runs them');
await inst.startPod('demo');

say("mcs-bridge demo on Karmada: the guide's manifests, applied to karmada-apiserver");
for (const f of ['nginx-deployment-propagation', 'curl-deployment-propagation', 'nginx-service-mcs']) {
  const file = path.join(REPO_ROOT, 'test/fixtures/seed-karmada', `${f}.yaml`);
  say(`$ kubectl --context karmada-apiserver apply -f ${path.relative(REPO_ROOT, file)}`);
  say((await k(['--context', 'karmada-apiserver', 'apply', '-f', file])).trimEnd());
}

const core = (c: 'member1' | 'member2') => sb.kubeConfig(c).makeApiClient(CoreV1Api);
await eventually(
  "member2 holds member1's 2 nginx endpoints",
  async () => {
    const n = readyAddresses((await slicesIn(sb, 'member2', 'default')).ours).length;
    if (n < 2) throw new Error(`${n} ready endpoints so far`);
  },
  { timeoutMs: 120_000 },
);

// `karmadactl get po` lists the pods of every member with a CLUSTER column; the same, by kubectl.
say('\n$ karmadactl get po   # (by kubectl: the pods of each member cluster)');
const rows = [['NAME', 'CLUSTER', 'READY', 'STATUS', 'IP']];
for (const member of ['member1', 'member2'] as const) {
  for (const pod of (await core(member).listNamespacedPod({ namespace: 'default' })).items) {
    const ready = pod.status?.containerStatuses?.filter((c) => c.ready).length ?? 0;
    const total = pod.spec?.containers.length ?? 0;
    rows.push([
      pod.metadata?.name ?? '',
      member,
      `${ready}/${total}`,
      pod.status?.phase ?? '',
      pod.status?.podIP ?? '',
    ]);
  }
}
const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
for (const r of rows)
  say(
    r
      .map((c, i) => c.padEnd((widths[i] ?? 0) + 3))
      .join('')
      .trimEnd(),
  );

say('\n$ kubectl --context member2 get endpointslices -l kubernetes.io/service-name=nginx -o wide');
say(
  (
    await k([
      '--context',
      'member2',
      'get',
      'endpointslices',
      '-l',
      'kubernetes.io/service-name=nginx',
      '-o',
      'wide',
    ])
  ).trimEnd(),
);
say('\n$ kubectl --context karmada-apiserver get mcs');
say((await k(['--context', 'karmada-apiserver', 'get', 'mcs'])).trimEnd());
// Karmada's CRD (which stays in place) has no printer columns: READY is its status condition.
const ready = 'READY:.status.conditions[?(@.type=="EndpointSliceDispatched")].status';
say(`\n$ kubectl --context karmada-apiserver get mcs -o custom-columns='NAME:.metadata.name,${ready}'`);
say(
  (
    await k([
      '--context',
      'karmada-apiserver',
      'get',
      'mcs',
      '-o',
      `custom-columns=NAME:.metadata.name,${ready}`,
    ])
  ).trimEnd(),
);

const log = (name: string) => path.relative(REPO_ROOT, path.join(sb.layout.logsDir, `${name}.log`));
say(`
The sandbox runs the seed guide on Karmada v1.18.2 (MultiClusterService gate off: mcs-bridge carries out the MCS).
  export KUBECONFIG=${sb.layout.kubeconfig}
  export PATH=${sb.binDir}:$PATH
  kubectl --context karmada-apiserver get clusters                   # member1, member2: Push, Ready
  kubectl --context karmada-apiserver get resourcebindings           # nginx and curl, placed by Karmada's scheduler
  kubectl --context member2 get endpointslices -o wide               # member1-nginx-*: mcs-bridge's copies
  kubectl --context karmada-host -n ${NAMESPACE} get deploy,svc,secret   # the karmada-host half of the chart
  kubectl --context member1 scale deployment nginx --replicas=3      # Karmada puts it back to 2 (the template says 2)
  kubectl --context karmada-apiserver scale deployment nginx --replicas=3   # member1 runs 3, member2 gets the third IP
Logs: ${log(`${PROCESS_PREFIX}webhook-demo`)}, ${log(`${PROCESS_PREFIX}syncer-demo`)}, and Karmada's (${log('karmada-controller-manager')}, …)
Stop everything: make sandbox-down
`);
