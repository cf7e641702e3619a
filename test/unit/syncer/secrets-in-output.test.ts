/**
 * No token in anything the syncer process prints or serves, even when it is provoked: malformed
 * kubeconfigs (whose parser quotes the file), and an API server that answers every call with
 * an error quoting the caller's Authorization header — the hub's token, a member kubeconfig's
 * token, and the token of a Karmada Cluster's Secret. Every line of output, the /metrics text
 * and the health port's 404 are searched for each token.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { reliabilityCase } from '../../reliability/case.ts';
import { freeLoopbackPort, SourceProgram } from '../harness/source-program.ts';
import { loopbackCertificate } from '../webhook/fuzz-harness.ts';

// Short enough that a YAML error snippet would quote them whole.
const HUB_TOKEN = `hub-${randomBytes(6).toString('hex')}`;
const MEMBER_TOKEN = `mem-${randomBytes(6).toString('hex')}`;
const KARMADA_TOKEN = `kar-${randomBytes(6).toString('hex')}`;

/** A kubeconfig with one context per name, each reaching `server` with `token`. */
const kubeconfig = (server: string, ca: string, token: string, contexts: string[], extra = '') => {
  const caData = Buffer.from(ca).toString('base64');
  const clusters = contexts.map(
    (c) => `- name: ${c}\n  cluster:\n    server: ${server}\n    certificate-authority-data: ${caData}\n`,
  );
  const ctx = contexts.map((c) => `- name: ${c}\n  context: {cluster: ${c}, user: u}\n`);
  return `apiVersion: v1\nkind: Config\nclusters:\n${clusters.join('')}users:\n- name: u\n  user:\n    token: ${token}\n${extra}contexts:\n${ctx.join('')}current-context: ${contexts[0]}\n`;
};

describe('secrets in what the syncer prints and serves', () => {
  let dir = '';
  let echo: https.Server;
  let api = '';
  let caCert = '';
  const programs: SourceProgram[] = [];
  const start = (args: string[]) => {
    const s = new SourceProgram('syncer', args);
    programs.push(s);
    return s;
  };
  const file = (f: string) => path.join(dir, f);

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mcs-syncer-secrets-'));
    const cert = await loopbackCertificate();
    caCert = cert.caCert;
    // An API server that serves Karmada's Cluster list and the Cluster's Secret, and refuses
    // every other call with a message quoting the caller's credentials.
    echo = https.createServer({ cert: cert.pair.cert, key: cert.pair.key }, (req, res) => {
      const url = new URL(req.url ?? '/', 'https://x');
      const json = (code: number, body: unknown) => {
        res.writeHead(code, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (url.pathname === '/apis/cluster.karmada.io/v1alpha1/clusters' && !url.searchParams.has('watch')) {
        json(200, {
          kind: 'List',
          metadata: { resourceVersion: '1' },
          items: [
            {
              metadata: { name: 'member9', resourceVersion: '1' },
              spec: {
                apiEndpoint: api,
                syncMode: 'Push',
                secretRef: { namespace: 'karmada-cluster', name: 'member9' },
              },
              status: { conditions: [{ type: 'Ready', status: 'True' }] },
            },
          ],
        });
        return;
      }
      if (url.pathname === '/api/v1/namespaces/karmada-cluster/secrets/member9') {
        const b64 = (v: string) => Buffer.from(v).toString('base64');
        json(200, { data: { token: b64(KARMADA_TOKEN), caBundle: b64(caCert) } });
        return;
      }
      // The bare token, which no pattern recognises: only the scrubber's knowledge hides it.
      const token = String(req.headers.authorization).replace(/^Bearer /, '');
      const message = `internal error: token ${token} is not valid for ${req.url}`;
      json(500, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 500, message, token });
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    api = `https://127.0.0.1:${(echo.address() as AddressInfo).port}`;
    await writeFile(file('hub.kubeconfig'), kubeconfig(api, caCert, HUB_TOKEN, ['hub']));
    await writeFile(
      file('members.kubeconfig'),
      kubeconfig(api, caCert, MEMBER_TOKEN, ['member1', 'member2']),
    );
    await writeFile(
      file('broken-hub.kubeconfig'),
      kubeconfig(api, caCert, HUB_TOKEN, ['hub'], '   broken: [indent\n'),
    );
    await writeFile(
      file('broken-members.kubeconfig'),
      kubeconfig(api, caCert, MEMBER_TOKEN, ['member1'], '   broken: [indent\n'),
    );
  });
  after(async () => {
    for (const p of programs) await p.stop();
    echo.closeAllConnections();
    await new Promise((r) => echo?.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  it('never prints or serves a token, whatever goes wrong', { timeout: 300_000 }, async () => {
    reliabilityCase(
      'Security',
      'No token in the syncer output or metrics (provoked)',
      'The syncer process provoked: malformed hub and member kubeconfigs, an API server whose every error quotes the Authorization header (hub, kubeconfig members, a Karmada Cluster whose Secret holds its token), trace logging, a 404 asked with a token in its query; all output, /metrics and the 404 searched for every token',
    );
    // 1. Kubeconfigs the YAML parser cannot read: its errors quote the lines around the fault.
    const brokenHub = start([`--kubeconfig=${file('broken-hub.kubeconfig')}`, '--metrics-port=0']);
    assert.equal(await brokenHub.exited, 1, brokenHub.output);
    assert.match(
      brokenHub.output,
      /cannot load the hub kubeconfig .*broken-hub\.kubeconfig: bad indentation/,
    );
    const brokenMembers = start([
      `--kubeconfig=${file('hub.kubeconfig')}`,
      `--member-kubeconfig=${file('broken-members.kubeconfig')}`,
      '--metrics-port=0',
    ]);
    assert.equal(await brokenMembers.exited, 1, brokenMembers.output);
    assert.match(brokenMembers.output, /cannot load the member kubeconfig .*: bad indentation/);

    // 2. Members from a kubeconfig; every call answered with an error quoting the token.
    const port1 = await freeLoopbackPort();
    const quoting = start([
      `--kubeconfig=${file('hub.kubeconfig')}`,
      `--member-kubeconfig=${file('members.kubeconfig')}`,
      '--log-level=trace',
      `--metrics-port=${port1}`,
      '--metrics-bind-address=127.0.0.1',
    ]);
    await quoting.waitFor(/watch of multiclusterservices in hub failed/);
    await quoting.waitFor(/watch of endpointslices in member1 failed/);
    const notFound = await fetch(`http://127.0.0.1:${port1}/nothing?token=${HUB_TOKEN}`);
    const notFoundText = await notFound.text();
    assert.equal(notFound.status, 404);
    assert.equal(notFoundText, 'not found: this port serves /healthz, /readyz, /metrics\n');
    const metrics1 = await (await fetch(`http://127.0.0.1:${port1}/metrics`)).text();
    assert.match(
      metrics1,
      /mcs_bridge_syncer_api_requests_total\{cluster="member1",verb="list",code="500"\}/,
    );

    // 3. Members from Karmada: the Cluster's Secret holds a token the syncer learns at run time.
    const port2 = await freeLoopbackPort();
    const karmada = start([
      `--kubeconfig=${file('hub.kubeconfig')}`,
      '--cluster-source=karmada',
      '--log-level=trace',
      `--metrics-port=${port2}`,
      '--metrics-bind-address=127.0.0.1',
    ]);
    await karmada.waitFor(/member cluster member9 added/);
    await karmada.waitFor(/watch of \w+ in member9 failed: internal error/);
    const metrics2 = await (await fetch(`http://127.0.0.1:${port2}/metrics`)).text();
    for (const p of programs) await p.stop();

    for (const [what, text] of [
      ['the broken hub kubeconfig run', brokenHub.output],
      ['the broken member kubeconfig run', brokenMembers.output],
      ['the kubeconfig members run', quoting.output],
      ['the Karmada members run', karmada.output],
      ['the 404', notFoundText],
      ['/metrics', metrics1 + metrics2],
    ] as const) {
      for (const token of [HUB_TOKEN, MEMBER_TOKEN, KARMADA_TOKEN])
        assert.ok(!text.includes(token), `a token is in ${what}:\n${text}`);
    }
    assert.match(
      quoting.output,
      /internal error: token \[REDACTED\]/,
      'the quoted credentials were scrubbed',
    );
    assert.match(karmada.output, /token \[REDACTED\] is not valid/, 'the Secret’s token was scrubbed too');
  });
});
