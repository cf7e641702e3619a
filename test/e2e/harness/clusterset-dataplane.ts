/**
 * What the clusterset.local suites do from member2's curl pod on the data plane: set up member1's
 * nginx and member2's curl pod with the data plane between them, and read answers as records or
 * the name of the member1 pod that answered.
 */
import assert from 'node:assert/strict';
import { CoreV1Api } from '@kubernetes/client-node';
import { DataPlane } from '../../dataplane/dataplane.ts';
import type { DnsQueryResult } from '../../dataplane/dns-answer.ts';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import { createAll, eventually, loadFixture } from '../../sandbox/testing.ts';
import { nginxPodIps } from './syncer.ts';

const HOSTNAME = /^Hello, world!\nVersion: 1\.0\.0\nHostname: (nginx-[a-z0-9]+-[a-z0-9]+)\n$/;

/** The answer of a name that does not exist. */
export const NXDOMAIN: DnsQueryResult = { ok: false, code: 'ENOTFOUND' };

/** An answer of these records, in the order DataPlane.resolve gives them. */
export function records(...r: string[]): DnsQueryResult {
  return { ok: true, records: [...r].sort() };
}

/** The nginx pod that wrote this answer (the seed guide's nginx page names its pod). */
export function answeredBy(stdout: string): string {
  const m = HOSTNAME.exec(stdout);
  assert.ok(m?.[1], `not an answer of the seed's nginx: ${JSON.stringify(stdout)}`);
  return m[1];
}

/** The name of the member1 pod that answered `url` from member2's curl pod. */
export async function curlName(dp: DataPlane, url: string): Promise<string> {
  const r = await dp.curl([url]);
  assert.equal(r.code, 0, `curl ${url} failed (exit ${r.code}): ${r.stderr}`);
  return answeredBy(r.stdout);
}

/** The nginx pods of a member: IP → pod name. */
export type PodsByIP = Map<string, string>;

/**
 * member1's nginx (two pods) and its Service `hello`, which nobody exports; member2's curl pod;
 * with `member2Nginx`, nginx pods in member2 too; the data plane for them, with CoreDNS serving
 * clusterset.local. Returns the data plane and each member's nginx pods.
 */
export async function clustersetDataPlane(
  sb: Sandbox,
  ns: string,
  { member2Nginx = false }: { member2Nginx?: boolean } = {},
): Promise<{ dp: DataPlane; pods: PodsByIP; member2Pods: PodsByIP }> {
  const nginx = await loadFixture('seed/nginx-deployment.yaml');
  await createAll(sb, 'member1', ns, nginx);
  await createAll(sb, 'member2', ns, [
    ...(await loadFixture('seed/curl-deployment.yaml')),
    ...(member2Nginx ? nginx : []),
  ]);
  const member1 = sb.kubeConfig('member1').makeApiClient(CoreV1Api);
  await member1.createNamespacedService({
    namespace: ns,
    body: {
      metadata: { name: 'hello' },
      spec: { selector: { app: 'nginx' }, ports: [{ name: 'http', port: 80 }] },
    },
  });
  const dp = await DataPlane.up(sb, {
    namespace: ns,
    log: () => {},
    serverPodsIn: member2Nginx ? ['member1', 'member2'] : ['member1'],
  });
  assert.ok(dp.clusterset, 'member2 serves ServiceImports as v1alpha1, so CoreDNS serves clusterset.local');
  const podsOf = async (member: 'member1' | 'member2'): Promise<PodsByIP> => {
    await eventually(`${member}'s two nginx pods with IPs`, async () => {
      const got = await nginxPodIps(sb, member, ns);
      assert.equal(got.length, 2, `ready nginx pods in ${member}: ${got.join(', ')}`);
    });
    const list = await sb
      .kubeConfig(member)
      .makeApiClient(CoreV1Api)
      .listNamespacedPod({ namespace: ns, labelSelector: 'app=nginx' });
    return new Map(list.items.map((p) => [p.status?.podIP ?? '', p.metadata?.name ?? '']));
  };
  return {
    dp,
    pods: await podsOf('member1'),
    member2Pods: member2Nginx ? await podsOf('member2') : new Map(),
  };
}
