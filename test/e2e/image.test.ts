/**
 * The image users deploy (`make image`: the Dockerfile built with podman) run as the chart
 * renders it: the release installed on the sandbox hub with helm, then both containers of the
 * rendered Deployment started from the image by podman with the pod's securityContext (user
 * 1000, read-only root file system, every capability dropped, no privilege escalation, podman's
 * default seccomp profile), its args, env and volumes (emptyDir in memory → tmpfs, Secrets →
 * files), the ServiceAccount token where the kubelet mounts it, and the host's network to reach
 * the sandbox. Through them: self-managed TLS, the admission cases through the hub's API server,
 * the seed scenario, /metrics, a clean stop on SIGTERM. Beside them, what a scanner checks: no
 * package manager, production dependencies only, nothing user 1000 can change, nothing running
 * as root; and every program of package.json answering from the image.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { CustomObjectsApi, type V1Container, type V1Deployment } from '@kubernetes/client-node';
import { STARTUP_NODE_FLAGS } from '../../syncer/gc-tuning.ts';
import { type Bom, sbomFileOf } from '../image/sbom-compose.ts';
import { reliabilityCase } from '../reliability/case.ts';
import { REPO_ROOT, type Sandbox } from '../sandbox/sandbox.ts';
import {
  createAll,
  createNamespace,
  eventually,
  loadFixture,
  uniqueName,
  useSandbox,
} from '../sandbox/testing.ts';
import { renderedFlag, servedCertificate } from './harness/chart.ts';
import { LocalRelease } from './harness/chart-release.ts';
import {
  imageEntries,
  imagePresent,
  type PodContainer,
  podmanOk,
  removeContainers,
  runOneOff,
  startPodContainer,
} from './harness/image.ts';
import { nginxPodIps, readyAddresses, slicesIn } from './harness/syncer.ts';
import { kubectlRun, mcsManifest, WRONG_FOUR_WAYS, WRONG_FOUR_WAYS_ERRORS } from './harness/webhook.ts';

const STEP = { timeout: 240_000 };
const MCS = { group: 'networking.karmada.io', version: 'v1alpha1', plural: 'multiclusterservices' };
const PERMANENT_ID = 'multiclusterservice.karmada.io/permanent-id';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const DENIED = /admission webhook "multiclusterservice\.mcs-bridge\.io" denied the request/;
const text = (base64: string | undefined) => Buffer.from(base64 ?? '', 'base64').toString('utf8');
const pkg = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
};

/** Run by the image's node: name@version of every package under /app/node_modules, one a line. */
const LIST_NODE_MODULES = `
const fs = require('node:fs'), path = require('node:path'), found = new Set();
const walk = (dir) => {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (!e.isDirectory() || e.name.startsWith('.')) continue;
    if (e.name.startsWith('@')) { walk(p); continue; }
    const manifest = path.join(p, 'package.json');
    if (fs.existsSync(manifest)) {
      const m = JSON.parse(fs.readFileSync(manifest, 'utf8'));
      found.add(m.name + '@' + m.version);
    }
    if (fs.existsSync(path.join(p, 'node_modules'))) walk(path.join(p, 'node_modules'));
  }
};
walk('/app/node_modules');
console.log([...found].sort().join('\\n'));
`;

/** MCS_BRIDGE_IMAGE (`make test-e2e IMAGE=…`) as the chart's image values; else the chart's default. */
function imageValues(): Record<string, unknown> {
  const ref = process.env.MCS_BRIDGE_IMAGE;
  if (!ref) return {};
  const colon = ref.lastIndexOf(':');
  if (colon < ref.lastIndexOf('/') || colon < 0) return { image: { repository: ref, tag: 'latest' } };
  return { image: { repository: ref.slice(0, colon), tag: ref.slice(colon + 1) } };
}

/** The status lines of a host process that say who it runs as and what it may do. */
async function privileges(hostPid: string): Promise<Record<string, string>> {
  const status = await readFile(`/proc/${hostPid}/status`, 'utf8');
  const wanted = ['Uid', 'Gid', 'CapEff', 'CapPrm', 'CapBnd', 'NoNewPrivs', 'Seccomp'];
  return Object.fromEntries(
    status
      .split('\n')
      .map((l) => l.split(':\t'))
      .filter(([k]) => wanted.includes(k ?? ''))
      .map(([k, v]) => [k, (v ?? '').trim().replace(/\s+/g, ' ')]),
  );
}

describe('the image, run by podman as the chart renders it', () => {
  let sb: Sandbox;
  let rel: LocalRelease;
  let deployment: V1Deployment;
  let image = '';
  let dir = '';
  const name = uniqueName('image').slice(2); // image-3f9a1c: objects are image-3f9a1c-mcs-bridge…
  const ns = `t-${name}`;
  const appNs = `${ns}-app`;
  const running: Partial<Record<'webhook' | 'syncer', PodContainer>> = {};
  const cleanups: (() => Promise<unknown>)[] = [];
  const container = (n: 'webhook' | 'syncer'): V1Container => {
    const c = deployment.spec?.template.spec?.containers.find((x) => x.name === n);
    if (!c) throw new Error(`the rendered Deployment has no container ${n}`);
    return c;
  };
  const apply = (manifest: string) => kubectlRun(sb, ['apply', '-n', appNs, '-f', '-'], manifest);
  /** A one-off container with the chart's securityContext and resources, running `command`. */
  const oneOff = (command: string[], extra: Partial<V1Container> = {}): V1Container => ({
    ...container('webhook'),
    name: 'oneoff',
    command: command.slice(0, 1),
    args: command.slice(1),
    volumeMounts: [],
    ...extra,
  });

  before(async () => {
    sb = await useSandbox();
    dir = await mkdtemp(path.join(sb.layout.dir, `${name}-`));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    cleanups.push(await createNamespace(sb, appNs));
    cleanups.push(await createNamespace(sb, ns, ['hub']));
    rel = new LocalRelease(sb, name, ns, appNs, dir);
    cleanups.push(await rel.prepare());
    await rel.helm('install', rel.values(imageValues()));
    deployment = (await rel.objects()).find((o) => o.kind === 'Deployment') as V1Deployment;
    image = container('webhook').image ?? '';
    assert.ok(
      await imagePresent(image),
      `podman holds no ${image}, the image the chart renders: run \`make image\` first`,
    );
  });

  after(async () => {
    // The syncer first, then the webhook configurations while the webhook still answers.
    await running.syncer?.stop(5).catch(() => undefined);
    await rel?.uninstall().catch(() => undefined);
    if (sb) await removeContainers(sb).catch(() => undefined);
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it('runs as the numeric user the chart names, and holds the programs the chart runs', STEP, async () => {
    const [config] = JSON.parse(await podmanOk(['image', 'inspect', image])) as {
      Config: { User?: string; Entrypoint?: string[] | null };
    }[];
    const pod = deployment.spec?.template.spec?.securityContext;
    assert.equal(
      config?.Config.User,
      `${pod?.runAsUser}:${pod?.runAsGroup}`,
      "the image's USER is the chart's",
    );
    for (const c of deployment.spec?.template.spec?.containers ?? []) {
      assert.ok(
        (c.command?.[0] ?? '') in pkg.bin,
        `${c.name} runs ${c.command?.[0]}, a program of package.json`,
      );
    }
  });

  it(
    'answers --help from every program of package.json (kubectl-mcs too, once it is one)',
    STEP,
    async () => {
      const bins = Object.keys(pkg.bin);
      for (const bin of bins) {
        const r = await runOneOff(sb, deployment, oneOff([bin, '--help']), {
          containerName: `${name}-help-${bin}`,
        });
        assert.equal(r.exitCode, 0, `${bin} --help: ${r.output}`);
        assert.match(r.output, /Usage/, `${bin} --help prints its usage`);
      }
    },
  );

  it('issues certificates with mcs-bridge-certs into a volume, as user 1000', STEP, async () => {
    const out = path.join(dir, 'certs-out');
    await mkdir(out);
    await chmod(out, 0o777); // as the kubelet makes an emptyDir on disk: open to the pod's users
    const ok = await runOneOff(
      sb,
      deployment,
      oneOff(
        [
          'mcs-bridge-certs',
          '--service=webhook',
          `--namespace=${ns}`,
          '--ip=127.0.0.1',
          '--key-type=ecdsa',
        ].concat('--out-dir=/out'),
        { volumeMounts: [{ name: 'out', mountPath: '/out' }] },
      ),
      {
        containerName: `${name}-certs`,
        volumes: [{ name: 'out', emptyDir: {} }],
        diskDirs: new Map([['out', out]]),
      },
    );
    assert.equal(ok.exitCode, 0, ok.output);
    const ca = new X509Certificate(await readFile(path.join(out, 'ca.crt')));
    const cert = new X509Certificate(await readFile(path.join(out, 'tls.crt')));
    assert.ok(cert.verify(ca.publicKey), 'the serving certificate is signed by the CA');
    assert.ok(cert.checkIP('127.0.0.1'), 'for 127.0.0.1');
    assert.ok(cert.checkHost(`webhook.${ns}.svc`), `for webhook.${ns}.svc`);
    const caPem = await readFile(path.join(out, 'ca.crt'), 'utf8');
    assert.ok(
      ok.output.split('\n').some((line) => Buffer.from(line, 'base64').toString('utf8') === caPem),
      `the caBundle on stdout: ${ok.output}`,
    );
    const key = await stat(path.join(out, 'tls.key'));
    assert.equal(key.uid, 1000, 'written by user 1000');
    assert.equal(key.mode & 0o777, 0o600, 'the key is private');
  });

  it(
    'ships no npm, npx, corepack or yarn, and exactly the production dependencies of the lockfile',
    STEP,
    async () => {
      reliabilityCase(
        'Security',
        'The image holds no package manager and no dev dependency',
        "the image's file system read from its layers: no npm, npx, corepack or yarn anywhere; its node_modules are exactly `npm ls --omit=dev`",
      );
      const entries = await imageEntries(image);
      assert.ok(entries.length > 1000, `${entries.length} entries read from the image`);
      const managers = entries
        .map((e) => e.path)
        .filter(
          (p) =>
            /(^|\/)(npm|npx|corepack|yarn|yarnpkg)(-cli)?(\.c?js)?$/.test(p) ||
            /(^|\/)node_modules\/(npm|corepack)(\/|$)/.test(p) ||
            /^opt\/yarn/.test(p) ||
            p.startsWith('usr/local/lib/node_modules'),
        );
      assert.deepEqual(managers, [], 'no package manager in the runtime image');
      const packageDir = /^app\/((?:node_modules\/(?:@[^/]+\/)?[^/@][^/]*\/)+)package\.json$/;
      const inImage = entries
        .map((e) => packageDir.exec(e.path)?.[1]?.replace(/\/$/, ''))
        .filter((p): p is string => p !== undefined)
        .sort();
      const { stdout } = await promisify(execFile)('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
        cwd: REPO_ROOT,
        maxBuffer: 16 << 20,
        timeout: 60_000,
      });
      const production = [
        ...new Set(
          stdout
            .split('\n')
            .filter((l) => l.startsWith(`${REPO_ROOT}/`))
            .map((l) => path.relative(REPO_ROOT, l)),
        ),
      ].sort();
      assert.ok(production.length > 10, `${production.length} production packages`);
      assert.deepEqual(inImage, production, "the image's node_modules are the production tree");
    },
  );

  it(
    'comes with an SBOM that names its Node.js, every npm package and every Debian package in it',
    STEP,
    async () => {
      reliabilityCase(
        'Security',
        "The image's SBOM matches the image",
        "make image's CycloneDX file (dist/image/) read against the image itself: its ID, `node --version`, every name@version under /app/node_modules and every package dpkg lists",
      );
      const bom = JSON.parse(await readFile(sbomFileOf(REPO_ROOT, image), 'utf8')) as Bom;
      assert.equal(bom.bomFormat, 'CycloneDX');
      const [inspected] = JSON.parse(await podmanOk(['image', 'inspect', image])) as { Id: string }[];
      assert.deepEqual(
        bom.metadata.component.properties?.find((p) => p.name === 'mcs-bridge:image-id')?.value,
        `sha256:${inspected?.Id.replace(/^sha256:/, '')}`,
        'the SBOM describes this build of the image',
      );
      const inImage = async (command: string[], what: string) => {
        const r = await runOneOff(sb, deployment, oneOff(command), { containerName: `${name}-sbom-${what}` });
        assert.equal(r.exitCode, 0, `${command.join(' ')}: ${r.output}`);
        return r.output.split('\n').filter(Boolean);
      };
      const [nodeVersion] = await inImage(['node', '--version'], 'node');
      const node = bom.components.filter((c) => c.name === 'node' && c.type === 'platform');
      assert.deepEqual(
        node.map((c) => `v${c.version}`),
        [nodeVersion],
        'the SBOM names the Node.js the image runs',
      );
      const named = new Set(bom.components.map((c) => `${c.name}@${c.version}`));
      const npmPackages = await inImage(['node', '-e', LIST_NODE_MODULES], 'npm');
      assert.ok(npmPackages.length > 10, `${npmPackages.length} npm packages in the image`);
      assert.deepEqual(
        npmPackages.filter((p) => !named.has(p)),
        [],
        'every npm package of the image is in the SBOM',
      );
      // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own fields, not JavaScript's
      const dpkgFormat = '-f=${Package}@${Version}\\n';
      const debs = await inImage(['dpkg-query', '-W', dpkgFormat], 'deb');
      assert.ok(debs.length > 50, `${debs.length} Debian packages in the image`);
      assert.deepEqual(
        debs.filter((p) => !named.has(p)),
        [],
        'every Debian package of the image is in the SBOM',
      );
    },
  );

  it('gives user 1000 nothing in the image it could change', STEP, async () => {
    const entries = await imageEntries(image);
    const owned = entries.filter((e) => e.uid === 1000 || e.gid === 1000).map((e) => e.path);
    // The base image's user `node` owns its home (as in the official image); nothing else.
    assert.deepEqual(
      owned.filter((p) => p !== 'home/node' && !p.startsWith('home/node/')),
      [],
      'no file of uid or gid 1000 outside /home/node',
    );
    const open = entries.filter((e) => e.type !== 'link' && e.mode & 0o002).map((e) => e.path);
    const sticky = entries.filter((e) => e.type === 'dir' && e.mode & 0o1000).map((e) => e.path);
    assert.deepEqual(
      open.filter((p) => !sticky.includes(p)),
      [],
      'only sticky folders (/tmp, /var/tmp) are writable by all',
    );
    const app = entries.filter((e) => /^(app|usr\/local)(\/|$)/.test(e.path));
    assert.ok(app.length > 100);
    for (const e of app) {
      assert.equal(e.uid, 0, `/${e.path} belongs to root`);
      if (e.type !== 'link') assert.equal(e.mode & 0o022, 0, `/${e.path} is writable by its owner only`);
    }
  });

  it(
    'starts the webhook: it fills the Secret and both caBundles, serves that certificate from its memory volume, and writes nowhere else',
    STEP,
    async () => {
      reliabilityCase(
        'Security',
        "The image under the chart's securityContext",
        'webhook and syncer containers from the image by podman: user 1000, read-only root file system, all capabilities dropped, no privilege escalation, RuntimeDefault seccomp; self-managed TLS written only to the memory volume',
      );
      running.webhook = await startPodContainer(sb, deployment, 'webhook', {
        dir: path.join(dir, 'webhook-pod'),
        containerName: `${name}-webhook`,
      });
      const secret = await rel.tlsSecretData();
      assert.deepEqual(Object.keys(secret).sort(), ['ca.crt', 'ca.key', 'tls.crt', 'tls.key']);
      for (const w of await rel.webhooks())
        assert.equal(w.clientConfig.caBundle, secret['ca.crt'], `${w.name} trusts the CA`);
      const served = await servedCertificate(rel.ports.webhook, text(secret['ca.crt']));
      assert.equal(served.fingerprint256, new X509Certificate(text(secret['tls.crt'])).fingerprint256);

      const tls = container('webhook').volumeMounts?.find((m) => m.name === 'tls')?.mountPath ?? '';
      const fsType = await running.webhook.exec(['stat', '-f', '-c', '%T', tls]);
      assert.equal(fsType.stdout.trim(), 'tmpfs', `${tls} is the memory volume`);
      const onDisk = await running.webhook.exec(['cat', `${tls}/tls.crt`]);
      assert.equal(onDisk.stdout, text(secret['tls.crt']), 'the webhook wrote the certificate of the Secret');
      // What user 1000 may write in the running container: the memory volume, nothing else.
      const writable = await running.webhook.exec([
        'sh',
        '-c',
        'find / \\( -path /proc -o -path /sys -o -path /dev \\) -prune -o -writable -print 2>/dev/null; true',
      ]);
      assert.deepEqual(
        writable.stdout.trim().split('\n').sort(),
        [tls, `${tls}/tls.crt`, `${tls}/tls.key`],
        'writable by the container user',
      );
    },
  );

  it('answers the admission cases through the hub API server', STEP, async () => {
    assert.ok(running.webhook, 'the webhook runs');
    const seed = await readFile(path.join(REPO_ROOT, 'test/fixtures/seed/nginx-service-mcs.yaml'), 'utf8');
    const created = await apply(seed);
    assert.equal(created.code, 0, created.stderr);
    assert.doesNotMatch(created.stderr, /Warning/, 'the Service exists and both clusters are members');
    const stored = (await sb
      .kubeConfig('hub')
      .makeApiClient(CustomObjectsApi)
      .getNamespacedCustomObject({ ...MCS, namespace: appNs, name: 'nginx' })) as {
      metadata: { labels?: Record<string, string> };
    };
    assert.match(stored.metadata.labels?.[PERMANENT_ID] ?? '', UUID, 'defaulted by the mutating webhook');

    const bad = await apply(WRONG_FOUR_WAYS);
    assert.notEqual(bad.code, 0, 'the bad MultiClusterService is refused');
    assert.match(bad.stderr, DENIED);
    for (const error of WRONG_FOUR_WAYS_ERRORS)
      assert.ok(bad.stderr.includes(error), `${error}\n${bad.stderr}`);

    const changed = await apply(
      mcsManifest('nginx', {
        types: ['LoadBalancer'],
        consumerClusters: [{ name: 'member2' }],
        providerClusters: [{ name: 'member1' }],
      }),
    );
    assert.notEqual(changed.code, 0, 'a change of types is refused');
    assert.ok(changed.stderr.includes('MultiClusterService types are immutable'), changed.stderr);

    const orphan = await apply(
      mcsManifest('orphan', { types: ['CrossCluster'], providerClusters: [{ name: 'member3' }] }),
    );
    assert.equal(orphan.code, 0, orphan.stderr);
    assert.ok(orphan.stderr.includes(`Warning: no Service "orphan" in namespace "${appNs}"`), orphan.stderr);
    assert.ok(
      orphan.stderr.includes('cluster "member3" is not a known member cluster'),
      `the members come from the mounted kubeconfig Secret: ${orphan.stderr}`,
    );
  });

  it("starts the syncer: member2 gets member1's pod IPs, and /metrics shows the work", STEP, async () => {
    await createAll(sb, 'member1', appNs, await loadFixture('seed/nginx-deployment.yaml'));
    running.syncer = await startPodContainer(sb, deployment, 'syncer', {
      dir: path.join(dir, 'syncer-pod'),
      containerName: `${name}-syncer`,
    });
    await eventually(
      "member2 holds member1's pod IPs",
      async () => {
        const ips = await nginxPodIps(sb, 'member1', appNs);
        assert.equal(ips.length, 2, 'two nginx pods in member1');
        assert.deepEqual(readyAddresses((await slicesIn(sb, 'member2', appNs)).ours), ips);
      },
      { timeoutMs: 120_000 },
    );
    const port = renderedFlag(container('syncer'), 'metrics-port');
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(metrics, /^mcs_bridge_syncer_leader 1$/m, 'the syncer leads');
    assert.match(
      metrics,
      /^mcs_bridge_syncer_api_requests_total\{[^}]*verb="create"[^}]*\} [1-9]/m,
      'it wrote',
    );
    // The chart's command runs the #! line of dist/syncer/main.js: env -S must pass its flags on.
    const commands = (await running.syncer.processes(['args'])).map((row) => row.join(' '));
    assert.ok(
      commands.some((c) => STARTUP_NODE_FLAGS.every((f) => c.split(' ').includes(f))),
      `the syncer's node runs with ${STARTUP_NODE_FLAGS.join(' ')}: ${commands.join(' | ')}`,
    );
  });

  it(
    'runs nothing as root: every process of both containers is user 1000, without privileges',
    STEP,
    async () => {
      for (const [which, c] of Object.entries(running)) {
        const rows = await c.processes(['hpid', 'args']);
        assert.ok(rows.length > 0, `${which} has processes`);
        for (const [hostPid, ...args] of rows) {
          assert.deepEqual(
            await privileges(hostPid ?? ''),
            {
              Uid: '1000 1000 1000 1000',
              Gid: '1000 1000 1000 1000',
              CapPrm: '0000000000000000',
              CapEff: '0000000000000000',
              CapBnd: '0000000000000000',
              NoNewPrivs: '1',
              Seccomp: '2',
            },
            `${which}: ${args.join(' ')}`,
          );
        }
      }
    },
  );

  it('stops the syncer on SIGTERM, cleanly and within the grace period', STEP, async () => {
    const c = running.syncer;
    assert.ok(c, 'the syncer runs');
    const grace = deployment.spec?.template.spec?.terminationGracePeriodSeconds ?? 30;
    const { exitCode, ms } = await c.stop(grace);
    delete running.syncer;
    assert.equal(
      exitCode,
      0,
      `exit code ${exitCode} (137: killed after the grace period):\n${(await c.logs()).slice(-4000)}`,
    );
    assert.ok(ms < grace * 1000, `stopped in ${ms} ms`);
    const logs = await c.logs();
    // In this order: the writes in flight finish before the Lease goes (docs/architecture.md § Leader election).
    assert.match(logs, /"msg":"shutting down[:"][\s\S]*"msg":"released the Lease"[\s\S]*"msg":"stopped"/);
  });

  it('stops the webhook on SIGTERM after helm uninstall, cleanly', STEP, async () => {
    const c = running.webhook;
    assert.ok(c, 'the webhook runs');
    await rel.uninstall();
    const grace = deployment.spec?.template.spec?.terminationGracePeriodSeconds ?? 30;
    const { exitCode, ms } = await c.stop(grace);
    delete running.webhook;
    assert.equal(exitCode, 0, `exit code ${exitCode}; its last lines:\n${(await c.logs()).slice(-4000)}`);
    assert.ok(ms < grace * 1000, `stopped in ${ms} ms`);
  });
});
