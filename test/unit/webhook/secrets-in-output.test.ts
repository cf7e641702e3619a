/**
 * No token and no private key in anything the webhook process prints or serves, even when it is
 * provoked: a malformed kubeconfig (whose parser quotes the file), certificate files swapped, and
 * an API server that answers every call with an error quoting the caller's Authorization header
 * (through the lookups and the self-managed certificate's Secret reads). Every line of output and
 * the /metrics text are searched for the token and for the key.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROUTES } from '../../../webhook/app.ts';
import { reliabilityCase } from '../../reliability/case.ts';
import { freeLoopbackPort, SourceProgram } from '../harness/source-program.ts';
import { admissionRequest, review } from './fixtures.ts';
import { loopbackCertificate } from './fuzz-harness.ts';

// Short enough that a YAML error snippet would quote it whole.
const TOKEN = `tok-${randomBytes(6).toString('hex')}`;

/** A kubeconfig with the secret token, for a server on loopback whose CA is `ca`. */
const kubeconfig = (server: string, ca: string, extra = '') =>
  `apiVersion: v1\nkind: Config\nclusters:\n- name: hub\n  cluster:\n    server: ${server}\n    certificate-authority-data: ${Buffer.from(ca).toString('base64')}\nusers:\n- name: admin\n  user:\n    token: ${TOKEN}\n${extra}contexts:\n- name: hub\n  context: {cluster: hub, user: admin}\ncurrent-context: hub\n`;

describe('secrets in what the webhook prints and serves', () => {
  let dir = '';
  let key = '';
  let echo: https.Server;
  let api = '';
  const programs: SourceProgram[] = [];
  const start = (args: string[]) => {
    const w = new SourceProgram('webhook', args);
    programs.push(w);
    return w;
  };
  const port = freeLoopbackPort;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'mcs-secrets-'));
    const { pair, caCert } = await loopbackCertificate();
    key = pair.key;
    await writeFile(path.join(dir, 'tls.crt'), pair.cert);
    await writeFile(path.join(dir, 'tls.key'), pair.key);
    // An API server that refuses every call and quotes the caller's credentials in its answer.
    echo = https.createServer({ cert: pair.cert, key: pair.key }, (req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      // The bare token, which no pattern recognises: only the scrubber's knowledge of the kubeconfig hides it.
      const token = String(req.headers.authorization).replace(/^Bearer /, '');
      const message = `internal error: token ${token} is not valid for ${req.url}`;
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 500, message }));
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    api = `https://127.0.0.1:${(echo.address() as AddressInfo).port}`;
    await writeFile(path.join(dir, 'hub.kubeconfig'), kubeconfig(api, caCert));
    await writeFile(path.join(dir, 'broken.kubeconfig'), kubeconfig(api, caCert, '   broken: [indent\n'));
  });
  after(async () => {
    for (const p of programs) await p.stop();
    await new Promise((r) => echo?.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  it('never prints or serves the token or the private key, whatever goes wrong', {
    timeout: 120_000,
  }, async () => {
    reliabilityCase(
      'Security',
      'No token or private key in the webhook output or metrics (provoked)',
      'The webhook process with a token kubeconfig and a TLS key, provoked: a malformed kubeconfig, certificate and key files swapped, an API server whose every error quotes the Authorization header (lookups, self-managed Secret reads), trace logging; all output and /metrics searched',
    );
    const file = (f: string) => path.join(dir, f);
    const cert = [`--tls-cert-file=${file('tls.crt')}`, `--tls-key-file=${file('tls.key')}`];

    // 1. A kubeconfig the YAML parser cannot read: its error quotes the lines around the fault.
    const broken = start([
      ...cert,
      `--kubeconfig=${file('broken.kubeconfig')}`,
      '--bind-address=127.0.0.1',
      `--port=${await port()}`,
      `--health-port=${await port()}`,
    ]);
    assert.equal(await broken.exited, 1, broken.output);
    assert.match(
      broken.output,
      /failed to load the hub kubeconfig from .*broken\.kubeconfig: bad indentation/,
    );

    // 2. Certificate and key swapped: the key is in the file read as the certificate.
    const swapped = start([
      `--tls-cert-file=${file('tls.key')}`,
      `--tls-key-file=${file('tls.crt')}`,
      '--log-level=trace',
      '--bind-address=127.0.0.1',
      `--port=${await port()}`,
      `--health-port=${await port()}`,
    ]);
    await swapped.waitFor(/failed to load the serving certificate/);

    // 3. Self-managed TLS against the API server that quotes credentials: every Secret read fails.
    const managed = start([
      ...cert,
      `--kubeconfig=${file('hub.kubeconfig')}`,
      '--self-managed-tls',
      '--tls-secret=webhook-tls',
      '--tls-secret-namespace=mcs-system',
      '--tls-service=webhook',
      '--validating-webhook-config=webhook',
      '--log-level=trace',
      '--bind-address=127.0.0.1',
      `--port=${await port()}`,
      `--health-port=${await port()}`,
    ]);
    await managed.waitFor(/Secret mcs-system\/webhook-tls/);

    // 4. Serving, with lookups against the same API server: each admission makes both reads fail.
    const healthPort = await port();
    const servingPort = await port();
    const serving = start([
      ...cert,
      `--kubeconfig=${file('hub.kubeconfig')}`,
      '--log-level=trace',
      '--bind-address=127.0.0.1',
      `--port=${servingPort}`,
      `--health-port=${healthPort}`,
    ]);
    await serving.waitFor(/"serving certificate loaded"/);
    await serving.waitFor(/warnings that read the API are on/);
    const ready = await fetch(`http://127.0.0.1:${healthPort}/readyz`);
    assert.equal(ready.status, 200, await ready.text());
    const body = JSON.stringify(review(admissionRequest()));
    for (const route of [ROUTES.validate, ROUTES.mutate]) await postInsecure(servingPort, route, body);
    await serving.waitFor(/failed to read the Service of a MultiClusterService/);
    await serving.waitFor(/failed to list member clusters/);

    const metrics = await (await fetch(`http://127.0.0.1:${healthPort}/metrics`)).text();
    assert.match(metrics, /mcs_bridge_webhook_lookup_failures_total\{lookup="services"\} 1/);
    for (const p of programs) await p.stop();

    const keyBody = key.split('\n')[1] ?? key;
    for (const [what, text] of [
      ['the broken kubeconfig run', broken.output],
      ['the swapped files run', swapped.output],
      ['the self-managed run', managed.output],
      ['the serving run', serving.output],
      ['/metrics', metrics],
    ] as const) {
      assert.ok(!text.includes(TOKEN), `the token is in ${what}:\n${text}`);
      assert.ok(!text.includes(keyBody), `the private key is in ${what}:\n${text}`);
    }
    assert.match(serving.output + managed.output, /\[REDACTED\]/, 'the quoted credentials were scrubbed');
  });
});

/** POSTs over HTTPS without checking the certificate (only the log lines matter here). */
function postInsecure(port: number, route: string, body: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        path: route,
        method: 'POST',
        rejectUnauthorized: false,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve());
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
