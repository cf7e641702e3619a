import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../../lib/cli.ts';
import { parseWebhookOptions } from '../../../webhook/options.ts';

const TLS = ['--tls-cert-file', '/tls/tls.crt', '--tls-key-file', '/tls/tls.key'];

describe('the command line', () => {
  it('defaults to port 8443, health port 8080 and no API reads', () => {
    assert.deepEqual(parseWebhookOptions(TLS), {
      port: 8443,
      bindAddress: '0.0.0.0',
      healthPort: 8080,
      tlsCertFile: '/tls/tls.crt',
      tlsKeyFile: '/tls/tls.key',
      inCluster: false,
      logLevel: 'info',
    });
  });

  it('takes every option', () => {
    const opts = parseWebhookOptions([
      ...TLS,
      '--port=9443',
      '--health-port=9080',
      '--bind-address=127.0.0.1',
      '--kubeconfig=/hub.yaml',
      '--member-kubeconfig=/members.yaml',
      '--log-level=debug',
    ]);
    assert.equal(opts?.port, 9443);
    assert.equal(opts?.healthPort, 9080);
    assert.equal(opts?.bindAddress, '127.0.0.1');
    assert.equal(opts?.kubeconfig, '/hub.yaml');
    assert.equal(opts?.memberKubeconfig, '/members.yaml');
    assert.equal(opts?.logLevel, 'debug');
  });

  it('prints the usage and asks for no run on --help', (t) => {
    const printed: string[] = [];
    t.mock.method(process.stdout, 'write', (chunk: string) => {
      printed.push(chunk);
      return true;
    });
    assert.equal(parseWebhookOptions(['--help']), undefined);
    t.mock.restoreAll();
    assert.match(printed.join(''), /--tls-cert-file FILE/);
    assert.match(printed.join(''), /--health-port N .*default 8080/);
  });

  const errors: [string, string[], RegExp][] = [
    [
      'requires both certificate files',
      ['--tls-cert-file', 'a'],
      /--tls-cert-file and --tls-key-file are required/,
    ],
    [
      'refuses a port that is not a number',
      [...TLS, '--port', 'https'],
      /--port must be a port number .* got "https"/,
    ],
    [
      'refuses a port out of range',
      [...TLS, '--health-port', '70000'],
      /--health-port must be a port number/,
    ],
    ['refuses the same port twice', [...TLS, '--port', '8080'], /--port and --health-port are both 8080/],
    ['refuses two ways to reach the hub', [...TLS, '--kubeconfig', 'k', '--in-cluster'], /exclusive/],
    [
      'refuses member clusters without a hub',
      [...TLS, '--member-kubeconfig', 'm'],
      /needs --kubeconfig or --in-cluster/,
    ],
    ['refuses an unknown log level', [...TLS, '--log-level', 'loud'], /--log-level must be one of/],
    ['refuses an unknown option', [...TLS, '--verbose'], /verbose/],
  ];
  for (const [name, argv, message] of errors) {
    it(name, () => {
      assert.throws(
        () => parseWebhookOptions(argv),
        (err: unknown) => err instanceof UsageError && message.test(err.message),
      );
    });
  }
});
