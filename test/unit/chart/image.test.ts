/**
 * The chart's image as `make image` and the image suite (test/e2e/image.test.ts) see it: the
 * reference the chart renders by default is the tag test/image/build.sh gives the image it builds,
 * and the rendered pod turns into the `podman run` command the suite runs it with (the pod's
 * securityContext, volumes, env and limits), read from a real `helm template`. Building and
 * running the image itself is the e2e suite's job.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { V1Deployment } from '@kubernetes/client-node';
import { type PodRuntime, podmanRunArgs, securityFlags } from '../../e2e/harness/podman-run.ts';
import { REPO_ROOT } from '../../sandbox/sandbox.ts';
import { render } from './helm.ts';

const runtime = (extra: Partial<PodRuntime> = {}): PodRuntime => ({
  containerName: 'c',
  podName: 'pod-1',
  namespace: 'mcs-system',
  apiServer: { host: '127.0.0.1', port: '6443' },
  serviceAccountDir: '/sa',
  secretDirs: new Map([['members', '/vol/members']]),
  ...extra,
});
const KUBECONFIG_VALUES = { members: { source: 'kubeconfig', kubeconfig: { secretName: 'members' } } };

describe('the chart image', () => {
  it('is the tag test/image/build.sh builds by default', async () => {
    const { stdout } = await promisify(execFile)(path.join(REPO_ROOT, 'test/image/build.sh'), ['--help']);
    const built = /^Default image: (\S+)$/m.exec(stdout)?.[1];
    const rendered = (await render()).container('webhook').image;
    assert.equal(built, rendered);
  });

  it('renders a digest instead of the tag when one is given', async () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const rendered = (await render({ image: { digest } })).container('syncer').image;
    assert.equal(rendered, `ghcr.io/mcs-bridge/mcs-bridge@${digest}`);
  });
});

describe("podman run for the chart's containers", () => {
  const cases: {
    name: string;
    values?: object;
    container: 'webhook' | 'syncer';
    has: string[];
    lacks?: string[];
  }[] = [
    {
      name: 'the webhook runs as 1000 with a read-only root, no capabilities and no privilege escalation',
      container: 'webhook',
      has: [
        '--user=1000:1000',
        '--group-add=1000',
        '--read-only',
        '--read-only-tmpfs=false',
        '--cap-drop=all',
        '--security-opt=no-new-privileges',
        '--network=host',
        '--pull=never',
        '--stop-timeout=30',
      ],
      lacks: ['--security-opt=seccomp=unconfined'],
    },
    {
      name: 'the webhook keeps its self-managed certificate in a 1 MiB tmpfs at /tls',
      container: 'webhook',
      has: ['--mount=type=tmpfs,destination=/tls,tmpfs-mode=0777,tmpfs-size=1048576'],
    },
    {
      name: 'the webhook reads a certificate Secret from a read-only folder in secret mode',
      values: { tls: { mode: 'secret', secretName: 'webhook-tls', secret: { caBundle: 'Y2E=' } } },
      container: 'webhook',
      has: ['--mount=type=bind,source=/vol/tls,destination=/tls,ro=true'],
    },
    {
      name: 'the syncer gets the members Secret read-only and the chart limits',
      values: KUBECONFIG_VALUES,
      container: 'syncer',
      has: [
        '--mount=type=bind,source=/vol/members,destination=/etc/mcs-bridge/members,ro=true',
        `--memory=${512 * 2 ** 20}`,
        '--cpus=1',
      ],
    },
    {
      name: 'both get the pod name and namespace from the downward API, and the in-cluster API server',
      container: 'syncer',
      has: [
        '--env=POD_NAME=pod-1',
        '--env=POD_NAMESPACE=mcs-system',
        '--env=KUBERNETES_SERVICE_HOST=127.0.0.1',
        '--env=KUBERNETES_SERVICE_PORT=6443',
        '--mount=type=bind,source=/sa,destination=/var/run/secrets/kubernetes.io/serviceaccount,ro=true',
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const d = (await render(c.values ?? {})).deployment();
      const rt = runtime({
        secretDirs: new Map([
          ['members', '/vol/members'],
          ['tls', '/vol/tls'],
        ]),
      });
      const args = podmanRunArgs(d, c.container, rt);
      for (const flag of c.has) assert.ok(args.includes(flag), `${flag} in ${args.join(' ')}`);
      for (const flag of c.lacks ?? []) assert.ok(!args.includes(flag), `no ${flag}`);
    });
  }

  it('runs the rendered command as the entrypoint, then the image and the rendered args', async () => {
    const rendered = await render();
    const args = podmanRunArgs(rendered.deployment(), 'webhook', runtime());
    const image = rendered.container('webhook').image ?? '';
    const at = args.indexOf(image);
    assert.ok(at > 0, 'the image the chart names');
    assert.equal(args[at - 1], '--entrypoint=["mcs-bridge-webhook"]');
    assert.deepEqual(args.slice(at + 1), rendered.container('webhook').args);
  });

  it('refuses what it cannot run as the kubelet would, naming the container', async () => {
    const d = (await render(KUBECONFIG_VALUES)).deployment();
    assert.throws(
      () => podmanRunArgs(d, 'syncer', runtime({ secretDirs: new Map() })),
      /container syncer: volumeMount members: no folder was prepared for Secret members/,
    );
    assert.throws(() => podmanRunArgs(d, 'sidecar', runtime()), /container sidecar: no such container/);
    const noToken: V1Deployment = JSON.parse(JSON.stringify(d));
    assert.throws(
      () => podmanRunArgs(noToken, 'webhook', runtime({ serviceAccountDir: undefined })),
      /the pod mounts its token, but none was prepared/,
    );
  });

  const security: { name: string; pod: object; container: object; flags?: string[]; error?: RegExp }[] = [
    {
      name: 'seccomp Unconfined turns podman’s default profile off',
      pod: { runAsUser: 1000 },
      container: { seccompProfile: { type: 'Unconfined' } },
      flags: ['--user=1000:0', '--security-opt=seccomp=unconfined'],
    },
    {
      name: 'added capabilities are added after the drop',
      pod: {},
      container: { capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } },
      flags: ['--cap-drop=all', '--cap-add=net_bind_service'],
    },
    {
      name: 'runAsNonRoot with user 0 is refused',
      pod: { runAsNonRoot: true, runAsUser: 0 },
      container: {},
      error: /runAsNonRoot with runAsUser 0/,
    },
    {
      name: 'a privileged container is refused',
      pod: {},
      container: { privileged: true },
      error: /privileged/,
    },
    {
      name: 'a Localhost seccomp profile is refused',
      pod: { seccompProfile: { type: 'Localhost' } },
      container: {},
      error: /seccompProfile Localhost/,
    },
  ];
  for (const c of security) {
    it(c.name, () => {
      if (c.error) assert.throws(() => securityFlags(c.pod, c.container, 'pod'), c.error);
      else assert.deepEqual(securityFlags(c.pod, c.container, 'pod'), c.flags);
    });
  }
});
