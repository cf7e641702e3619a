import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../../lib/cli.ts';
import { parseWebhookOptions } from '../../../webhook/options.ts';

const TLS = ['--tls-cert-file', '/tls/tls.crt', '--tls-key-file', '/tls/tls.key'];
/** The flags the Helm chart renders for the self-managed mode. */
const CHART = [
  ...TLS,
  '--in-cluster',
  '--self-managed-tls',
  '--tls-secret=mcs-bridge-tls',
  '--tls-secret-namespace=mcs-system',
  '--tls-service=mcs-bridge-webhook',
  '--mutating-webhook-config=mcs-bridge',
  '--validating-webhook-config=mcs-bridge',
];

describe('the self-managed TLS flags', () => {
  it('are off unless --self-managed-tls is given', () => {
    assert.equal(parseWebhookOptions(TLS)?.selfManagedTls, undefined);
  });

  it('default to RSA, a year, a check every minute and no extra names', () => {
    assert.deepEqual(parseWebhookOptions(CHART)?.selfManagedTls, {
      secretName: 'mcs-bridge-tls',
      secretNamespace: 'mcs-system',
      service: 'mcs-bridge-webhook',
      hosts: [],
      ips: [],
      keyType: 'rsa',
      days: 365,
      mutatingWebhookConfigs: ['mcs-bridge'],
      validatingWebhookConfigs: ['mcs-bridge'],
      checkIntervalMs: 60_000,
    });
  });

  it('take every option, the repeatable ones repeated', () => {
    const tls = parseWebhookOptions([
      ...CHART,
      '--tls-host=webhook.example.com',
      '--tls-host=*.example.org',
      '--tls-ip=127.0.0.1',
      '--tls-ip=::1',
      '--tls-key-type=ecdsa',
      '--tls-days=30',
      '--tls-check-interval=5s',
      '--validating-webhook-config=other',
    ])?.selfManagedTls;
    assert.deepEqual(tls?.hosts, ['webhook.example.com', '*.example.org']);
    assert.deepEqual(tls?.ips, ['127.0.0.1', '::1']);
    assert.equal(tls?.keyType, 'ecdsa');
    assert.equal(tls?.days, 30);
    assert.equal(tls?.checkIntervalMs, 5_000);
    assert.deepEqual(tls?.validatingWebhookConfigs, ['mcs-bridge', 'other']);
  });

  it('work with --kubeconfig instead of --in-cluster', () => {
    const argv = CHART.map((a) => (a === '--in-cluster' ? '--kubeconfig=/hub.yaml' : a));
    assert.equal(parseWebhookOptions(argv)?.selfManagedTls?.secretName, 'mcs-bridge-tls');
  });

  it('are listed in --help', (t) => {
    const printed: string[] = [];
    t.mock.method(process.stdout, 'write', (chunk: string) => {
      printed.push(chunk);
      return true;
    });
    parseWebhookOptions(['--help']);
    t.mock.restoreAll();
    for (const flag of ['--self-managed-tls', '--tls-secret NAME', '--mutating-webhook-config NAME']) {
      assert.ok(printed.join('').includes(flag), `--help mentions ${flag}`);
    }
  });

  const without = (flag: string) => CHART.filter((a) => !a.startsWith(flag));
  const errors: [string, string[], RegExp][] = [
    [
      'refuse a flag of the mode without the mode',
      [...TLS, '--tls-secret=x', '--tls-ip=127.0.0.1'],
      /--tls-secret, --tls-ip only apply with --self-managed-tls/,
    ],
    [
      'need a way to reach the hub',
      without('--in-cluster'),
      /--self-managed-tls needs --kubeconfig or --in-cluster/,
    ],
    [
      'name every missing required flag',
      without('--tls-se'),
      /needs --tls-secret, --tls-secret-namespace, --tls-service/,
    ],
    [
      'need a webhook configuration to keep trusting the CA',
      without('--mutating').filter((a) => !a.startsWith('--validating')),
      /at least one --mutating-webhook-config or --validating-webhook-config/,
    ],
    [
      'refuse an unknown key type',
      [...CHART, '--tls-key-type=dsa'],
      /--tls-key-type must be one of rsa, ecdsa/,
    ],
    [
      'refuse a lifetime that is not a whole number of days',
      [...CHART, '--tls-days=1.5'],
      /--tls-days: must be a whole number of days between 1 and 36500, got "1.5"/,
    ],
    ['refuse a lifetime that is not a number', [...CHART, '--tls-days=year'], /--tls-days: .*got "year"/],
    ['refuse a check interval that is not a duration', [...CHART, '--tls-check-interval=often'], /often/],
    ['refuse a check interval under a second', [...CHART, '--tls-check-interval=10ms'], /at least 1s/],
    [
      'refuse a Service name that is no DNS-1035 label',
      [...without('--tls-service'), '--tls-service=1webhook'],
      /--tls-service: "1webhook" is not a valid Service name/,
    ],
    [
      'report every bad extra name at once, under its flag',
      [...CHART, '--tls-ip=localhost', '--tls-host=bad_host'],
      /--tls-host: "bad_host" is not a valid DNS name.*; --tls-ip: "localhost" is not an IPv4 or IPv6 address/,
    ],
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
