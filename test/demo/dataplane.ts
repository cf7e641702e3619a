/**
 * `make demo-dataplane`: after `make demo` (the seed's example: webhook, syncer, nginx in
 * member1, curl in member2, the MCS on the hub), the last step of the seed's guide for real:
 * from member2's curl pod, `curl -s http://nginx.default` answers from an nginx pod of
 * member1. The pods are network namespaces; member2 runs a real kube-proxy and a real
 * CoreDNS, and kwok serves its kubelet API, so the guide's own `kubectl exec` runs curl in the
 * curl pod (see test/dataplane/). Then `kubectl mcs diagnose` on it, healthy, and again with
 * the link between the two nodes cut. Needs root. `make dataplane-down` removes it again.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DataPlane } from '../dataplane/dataplane.ts';
import { execIn, ip } from '../dataplane/netns.ts';
import { REPO_ROOT, Sandbox } from '../sandbox/sandbox.ts';
import { eventually, runCommand } from '../sandbox/testing.ts';

const say = (line = '') => process.stdout.write(`${line}\n`);
const URL = 'http://nginx.default';

const sb = await Sandbox.attach();
say('mcs-bridge data-plane demo: pods as network namespaces, kube-proxy and CoreDNS in member2');
const dp = await DataPlane.up(sb, { namespace: 'default', log: (line) => say(`  ${line}`) });
const { clientNetns, nodes } = dp.topology;
const client = `ip netns exec ${clientNetns}`;
const members = path.join(sb.layout.dir, 'demo', 'members.kubeconfig');
const syncerUrl = (await readFile(path.join(sb.layout.dir, 'demo', 'syncer-url'), 'utf8')).trim();
const env = {
  ...process.env,
  KUBECONFIG: sb.layout.kubeconfig,
  PATH: `${path.join(REPO_ROOT, 'dist/bin')}:${sb.binDir}:${process.env.PATH}`,
};
/** Runs kubectl as a user would, with the sandbox's kubeconfig and the plugin on PATH. */
const kubectl = (args: string[]) => runCommand(path.join(sb.binDir, 'kubectl'), args, env);
const diagnoseArgs = ['mcs', 'diagnose', 'nginx', '--member-kubeconfig', members];

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
say(`\n$ for i in $(seq 6); do ${client} curl -s ${URL} | grep Hostname; done`);
for (let i = 0; i < 6; i++) {
  say((await runIn(['curl', '-s', URL])).split('\n').find((l) => l.startsWith('Hostname')) ?? '(no answer)');
}

// First a broken data path: with the link between the nodes cut the copies stay right, and
// only a probe from the client pod can tell. Then the link is back, and the guide's command.
const link = [nodes.member2.netns, nodes.member2.linkDevice] as const;
say(`\n$ ip -n ${link[0]} link set ${link[1]} down   # cut the flat network between the nodes`);
await ip(['-n', link[0], 'link', 'set', link[1], 'down']);
const broken = await kubectl([...diagnoseArgs, '--probe-from', 'member2/deploy/curl']);
say(`$ kubectl ${diagnoseArgs.join(' ')} --probe-from member2/deploy/curl   # exit ${broken.code}`);
say(broken.stdout.trimEnd());
await ip(['-n', link[0], 'link', 'set', link[1], 'up']);
await ip([
  '-n',
  link[0],
  'route',
  'replace',
  nodes.member1.podCIDR,
  'via',
  nodes.member1.ip,
  'dev',
  link[1],
  'onlink',
]);
say(
  `$ ip -n ${link[0]} link set ${link[1]} up && ip -n ${link[0]} route replace ${nodes.member1.podCIDR} via ${nodes.member1.ip} dev ${link[1]} onlink   # back (the link took its route down with it)`,
);

// The guide's last command, verbatim: through member2's API server and kubelet (kwok).
const guide = ['--context', 'member2', 'exec', 'deploy/curl', '--', 'curl', '-s', URL];
const answered = await eventually(
  'kubectl exec deploy/curl -- curl answers',
  async () => {
    const r = await kubectl(guide);
    if (r.code !== 0 || !r.stdout.includes('Hostname: nginx-'))
      throw new Error(`exit ${r.code}: ${r.stderr}`);
    return r.stdout;
  },
  { timeoutMs: 30_000 },
);
say(`\n$ kubectl ${guide.join(' ')}`);
say(answered.trimEnd());

const healthy = await eventually(
  'kubectl mcs diagnose reports nothing wrong',
  async () => {
    const r = await kubectl([
      ...diagnoseArgs,
      '--syncer-url',
      syncerUrl,
      '--probe-from',
      'member2/deploy/curl',
    ]);
    if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stdout}${r.stderr}`);
    return r.stdout;
  },
  { timeoutMs: 30_000 },
);
say(`\n$ kubectl ${diagnoseArgs.join(' ')} --syncer-url ${syncerUrl} --probe-from member2/deploy/curl`);
say(healthy.trimEnd());

say(`
member2 resolved nginx.default with its CoreDNS to its own cluster IP for nginx, and its
kube-proxy sent each request to one of member1's pod IPs, which the syncer copied into member2.
Try it yourself (as root):
  export KUBECONFIG=${sb.layout.kubeconfig} PATH=${path.join(REPO_ROOT, 'dist/bin')}:${sb.binDir}:$PATH
  kubectl --context member2 exec deploy/curl -- curl -s ${URL}
  kubectl ${diagnoseArgs.join(' ')} --probe-from member2/deploy/curl
  ip netns exec ${nodes.member2.netns} nft list table ip kube-proxy        # kube-proxy's rules
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
