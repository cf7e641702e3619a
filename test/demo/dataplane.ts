/**
 * `make demo-dataplane`: after `make demo` (the seed's example: webhook, syncer, nginx in
 * member1, curl in member2, the MCS on the hub), the last step of the seed's guide for real:
 * from member2's curl pod, `curl -s http://nginx.default` answers from an nginx pod of
 * member1. The pods are network namespaces; member2 runs a real kube-proxy and a real
 * CoreDNS (see test/dataplane/). Needs root. `make dataplane-down` removes it again.
 */
import path from 'node:path';
import { DataPlane } from '../dataplane/dataplane.ts';
import { execIn } from '../dataplane/netns.ts';
import { Sandbox } from '../sandbox/sandbox.ts';
import { eventually } from '../sandbox/testing.ts';

const say = (line = '') => process.stdout.write(`${line}\n`);
const URL = 'http://nginx.default';

const sb = await Sandbox.attach();
say('mcs-bridge data-plane demo: pods as network namespaces, kube-proxy and CoreDNS in member2');
const dp = await DataPlane.up(sb, { namespace: 'default', log: (line) => say(`  ${line}`) });
const { clientNetns, nodes } = dp.topology;
const client = `ip netns exec ${clientNetns}`;

await eventually(
  `${URL} answers from member2's curl pod`,
  async () => {
    const r = await dp.curl([URL]);
    if (r.code !== 0 || !r.stdout.includes('Hostname: nginx-'))
      throw new Error(`curl exit ${r.code}: ${r.stderr}`);
  },
  { timeoutMs: 60_000 },
);

say(`\n$ ${client} cat /etc/resolv.conf   # the curl pod of member2 (${dp.clientIP})`);
say((await runIn(['cat', '/etc/resolv.conf'])).trimEnd());
say(`\n$ ${client} curl -s ${URL}`);
say((await runIn(['curl', '-s', URL])).trimEnd());
say(`\n$ for i in $(seq 6); do ${client} curl -s ${URL} | grep Hostname; done`);
for (let i = 0; i < 6; i++) {
  say((await runIn(['curl', '-s', URL])).split('\n').find((l) => l.startsWith('Hostname')) ?? '(no answer)');
}

say(`
member2 resolved nginx.default with its CoreDNS to its own cluster IP for nginx, and its
kube-proxy sent each request to one of member1's pod IPs, which the syncer copied into member2.
Try it yourself (as root):
  ${client} curl -s ${URL}
  ip netns exec ${nodes.member2.netns} nft list table ip kube-proxy        # kube-proxy's rules
  export KUBECONFIG=${sb.layout.kubeconfig} PATH=${sb.binDir}:$PATH
  kubectl --context member1 scale deployment nginx --replicas=0   # requests fail within a second or two
  kubectl --context member1 scale deployment nginx --replicas=2   # and answer again
  kubectl --context hub delete mcs nginx                          # member2 no longer reaches member1
Logs: ${path.relative(process.cwd(), sb.layout.logsDir)}/dataplane-*.log
Remove the data plane: make dataplane-down; everything: make sandbox-down
`);

/** Runs a command in the client pod's namespace and returns what it printed. */
function runIn(argv: string[]): Promise<string> {
  return execIn(clientNetns, argv);
}
