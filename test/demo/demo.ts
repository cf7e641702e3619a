/**
 * `make demo`: the seed's example on the sandbox (started by the make target). The
 * webhook and the syncer run as local processes — the sandbox has no container runtime —
 * with the webhook registered on the hub exactly as the Helm chart registers it, then the
 * user guide's steps: nginx in member1, curl in member2, the Service and the
 * MultiClusterService on the hub. Running it again restarts the webhook and syncer and
 * re-applies the manifests; `make sandbox-down` stops everything.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { AdmissionregistrationV1Api, DiscoveryV1Api } from '@kubernetes/client-node';
import { writeCertificateFiles } from '../../certs/files.ts';
import { generateCertificates } from '../../certs/generate.ts';
import { kubeconfigFor } from '../sandbox/kubeconfig.ts';
import { MEMBERS } from '../sandbox/layout.ts';
import { freePort, startProgram, waitHttpOk } from '../sandbox/our-processes.ts';
import { findSandboxProcesses, stopProcess } from '../sandbox/processes.ts';
import { REPO_ROOT, Sandbox } from '../sandbox/sandbox.ts';
import { eventually, kubectl } from '../sandbox/testing.ts';

const say = (line = '') => process.stdout.write(`${line}\n`);
const CONFIG_NAME = 'mcs-bridge-demo';

const sb = await Sandbox.attach();
const dir = path.join(sb.layout.dir, 'demo');
await mkdir(dir, { recursive: true });
const k = (args: string[], input?: string) => kubectl(sb, args, input);

// A second run replaces the first run's processes.
for (const p of await findSandboxProcesses(sb.layout.dir)) {
  if (p.component.startsWith('demo-')) await stopProcess(p.pid);
}

say('mcs-bridge demo: the MultiClusterService CRD on the hub');
await k(['--context', 'hub', 'apply', '-f', path.join(REPO_ROOT, 'charts/mcs-bridge/crds')]);
await k([
  '--context',
  'hub',
  'wait',
  '--for=condition=Established',
  'crd/multiclusterservices.networking.karmada.io',
]);

say('mcs-bridge demo: the webhook, with a certificate from mcs-bridge-certs, registered on the hub');
const bundle = await generateCertificates({
  service: 'mcs-bridge-webhook',
  namespace: 'mcs-system',
  ips: ['127.0.0.1'],
  now: new Date(),
});
await writeCertificateFiles(path.join(dir, 'certs'), bundle);
const members = path.join(dir, 'members.kubeconfig');
await writeFile(members, JSON.stringify(kubeconfigFor(sb.layout, sb.admin, MEMBERS, 'member1')), {
  mode: 0o600,
});
const webhookPort = await freePort(sb);
const webhookHealth = await freePort(sb);
const webhook = await startProgram(sb, 'demo-webhook', 'webhook', [
  `--port=${webhookPort}`,
  `--health-port=${webhookHealth}`,
  '--bind-address=127.0.0.1',
  `--tls-cert-file=${path.join(dir, 'certs/tls.crt')}`,
  `--tls-key-file=${path.join(dir, 'certs/tls.key')}`,
  `--kubeconfig=${sb.layout.kubeconfig}`,
  `--member-kubeconfig=${members}`,
]);
await waitHttpOk(webhook, `http://127.0.0.1:${webhookHealth}/readyz`);
const entry = (which: 'validate' | 'mutate') => ({
  name: `${which}.multiclusterservice.mcs-bridge.io`,
  clientConfig: {
    url: `https://127.0.0.1:${webhookPort}/${which}-multiclusterservice`,
    caBundle: Buffer.from(bundle.caCert).toString('base64'),
  },
  rules: [
    {
      apiGroups: ['networking.karmada.io'],
      apiVersions: ['v1alpha1'],
      operations: ['CREATE', 'UPDATE'],
      resources: ['multiclusterservices'],
      scope: 'Namespaced',
    },
  ],
  failurePolicy: 'Fail',
  sideEffects: 'None',
  timeoutSeconds: 3,
  matchPolicy: 'Equivalent',
  admissionReviewVersions: ['v1'],
});
const admission = sb.kubeConfig('hub').makeApiClient(AdmissionregistrationV1Api);
await admission.deleteMutatingWebhookConfiguration({ name: CONFIG_NAME }).catch(() => undefined);
await admission.deleteValidatingWebhookConfiguration({ name: CONFIG_NAME }).catch(() => undefined);
await admission.createMutatingWebhookConfiguration({
  body: { metadata: { name: CONFIG_NAME }, webhooks: [entry('mutate')] },
});
await admission.createValidatingWebhookConfiguration({
  body: { metadata: { name: CONFIG_NAME }, webhooks: [entry('validate')] },
});

say('mcs-bridge demo: the syncer (members: the sandbox contexts member1 and member2), leader-elected');
// As the chart runs it: with leader election on the Lease mcs-system/mcs-bridge-syncer, which
// `kubectl mcs diagnose` reads to tell whether a syncer leads.
await k(['--context', 'hub', 'create', 'namespace', 'mcs-system']).catch((err: Error) => {
  if (!/AlreadyExists/.test(err.message)) throw err;
});
const metricsPort = await freePort(sb);
await writeFile(path.join(dir, 'syncer-url'), `http://127.0.0.1:${metricsPort}\n`);
const syncer = await startProgram(sb, 'demo-syncer', 'syncer', [
  `--kubeconfig=${sb.layout.kubeconfig}`,
  '--context=hub',
  `--member-kubeconfig=${sb.layout.kubeconfig}`,
  '--member-context=member1',
  '--member-context=member2',
  `--metrics-port=${metricsPort}`,
  '--metrics-bind-address=127.0.0.1',
  '--cluster-health-interval=2s',
  '--leader-elect',
  '--leader-election-namespace=mcs-system',
]);
await waitHttpOk(syncer, `http://127.0.0.1:${metricsPort}/readyz`);

say("mcs-bridge demo: the seed's example — nginx in member1, curl in member2, Service + MCS on the hub");
const seed = (f: string) => path.join(REPO_ROOT, 'test/fixtures/seed', f);
await k(['--context', 'member1', 'apply', '-f', seed('nginx-deployment.yaml')]);
await k(['--context', 'member2', 'apply', '-f', seed('curl-deployment.yaml')]);
await k(['--context', 'hub', 'apply', '-f', seed('nginx-service-mcs.yaml')]);

const discovery = sb.kubeConfig('member2').makeApiClient(DiscoveryV1Api);
await eventually(
  "member2 holds member1's nginx endpoints",
  async () => {
    const slices = await discovery.listNamespacedEndpointSlice({
      namespace: 'default',
      labelSelector:
        'kubernetes.io/service-name=nginx,endpointslice.kubernetes.io/managed-by=syncer.mcs-bridge.io',
    });
    const ready = slices.items.flatMap((s) =>
      (s.endpoints ?? []).filter((e) => e.conditions?.ready).flatMap((e) => e.addresses),
    );
    if (ready.length < 2) throw new Error(`${ready.length} ready endpoints so far`);
  },
  { timeoutMs: 90_000 },
);

say('\n$ kubectl --context member1 get pods -l app=nginx -o wide');
say(await k(['--context', 'member1', 'get', 'pods', '-l', 'app=nginx', '-o', 'wide']));
say('$ kubectl --context member2 get service,endpointslices -l kubernetes.io/service-name=nginx -o wide');
say(await k(['--context', 'member2', 'get', 'service/nginx', '-o', 'wide']));
say(
  await k([
    '--context',
    'member2',
    'get',
    'endpointslices',
    '-l',
    'kubernetes.io/service-name=nginx',
    '-o',
    'wide',
  ]),
);
say('$ kubectl --context hub get mcs nginx');
say(await k(['--context', 'hub', 'get', 'mcs', 'nginx']));

say(
  '$ kubectl --context hub apply -f -   # an MCS with two types and a duplicate port name: the webhook refuses it',
);
const bad = `apiVersion: networking.karmada.io/v1alpha1
kind: MultiClusterService
metadata: {name: bad}
spec:
  types: [CrossCluster, LoadBalancer]
  ports: [{name: http, port: 80}, {name: http, port: 81}]
`;
const refused = await k(['--context', 'hub', 'apply', '--dry-run=server', '-f', '-'], bad).then(
  () => 'unexpectedly admitted',
  (err: Error) => err.message.replace(/^kubectl [^:]*failed: /, ''),
);
say(`${refused}\n`);

say(`The sandbox is running the seed's example. Look around:
  export KUBECONFIG=${sb.layout.kubeconfig}
  export PATH=${sb.binDir}:$PATH
  kubectl --context hub get mcs nginx -o yaml                 # status conditions, finalizer, permanent-id label
  kubectl --context member2 get endpointslices -o wide        # member1-nginx-* are the copies
  kubectl --context member1 scale deployment nginx --replicas=3   # member2 follows
  kubectl --context hub delete mcs nginx                      # the copies go away
  curl -s http://127.0.0.1:${metricsPort}/metrics | grep mcs_bridge_syncer_   # the syncer's metrics
  export PATH=${path.join(REPO_ROOT, 'dist/bin')}:$PATH            # kubectl-mcs, the kubectl mcs plugin
  kubectl mcs diagnose nginx --member-kubeconfig ${path.relative(REPO_ROOT, members)} --syncer-url http://127.0.0.1:${metricsPort}
Logs: ${path.relative(REPO_ROOT, sb.layout.logsDir)}/demo-syncer.log, demo-webhook.log (and every cluster component's)
Stop everything: make sandbox-down
`);
