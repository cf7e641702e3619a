/**
 * The "kubelet" of the data plane for one member: follows the member's pods that match a
 * selector in one namespace, and keeps a pod namespace with an HTTP server for each (see
 * ../pod-mirror.ts). Runs until SIGTERM, then removes what it built.
 *   pod-agent.ts --sandbox-dir DIR --member member1 --namespace NS --selector app=nginx
 */
import { parseArgs } from 'node:util';
import { CoreV1Api } from '@kubernetes/client-node';
import { sleep } from '../../sandbox/processes.ts';
import { Sandbox } from '../../sandbox/sandbox.ts';
import { deleteNetns, listNetns } from '../netns.ts';
import { PodMirror } from '../pod-mirror.ts';
import { type DataPlaneMember, dataPlaneTopology, podNetns } from '../topology.ts';

const POLL_MS = 250;
const say = (line: string) => process.stdout.write(`${new Date().toISOString()} pod-agent: ${line}\n`);

const { values } = parseArgs({
  options: {
    'sandbox-dir': { type: 'string' },
    member: { type: 'string', default: 'member1' },
    namespace: { type: 'string' },
    selector: { type: 'string', default: 'app=nginx' },
  },
});
const member = values.member as DataPlaneMember;
if (!values['sandbox-dir'] || !values.namespace || (member !== 'member1' && member !== 'member2')) {
  process.stderr.write('usage: pod-agent.ts --sandbox-dir DIR --member member1|member2 --namespace NS\n');
  process.exit(2);
}
const namespace = values.namespace;
const sb = await Sandbox.attach(values['sandbox-dir']);
const topology = dataPlaneTopology(sb.layout);
const core = sb.kubeConfig(member).makeApiClient(CoreV1Api);
const mirror = new PodMirror(topology, member, sb.layout.dir, sb.layout.logsDir, say);

// Pod namespaces of an agent that was killed belong to no one now: start from none.
for (const stale of await listNetns(podNetns(topology, member, ''))) await deleteNetns(stale);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await mirror.stop().catch((err: Error) => say(`cleanup failed: ${err.message}`));
  process.exit(0);
};
process.on('SIGTERM', stop).on('SIGINT', stop);

say(`following pods ${values.selector} in ${member}/${namespace}`);
let lastError = '';
while (!stopping) {
  try {
    const pods = await core.listNamespacedPod({ namespace, labelSelector: values.selector });
    if (!stopping) await mirror.sync(pods.items);
    lastError = '';
  } catch (err) {
    // Log a failure once, not every 250 ms; the next round retries (level-triggered).
    const message = (err as Error).message;
    if (message !== lastError) say(`sync failed, retrying: ${message}`);
    lastError = message;
  }
  await sleep(POLL_MS);
}
