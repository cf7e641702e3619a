import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CertsCommand, parseCertsCommand } from '../../../certs/command.ts';
import { UsageError } from '../../../lib/cli.ts';

const BASE = ['--service', 'mcs-bridge-webhook', '--namespace', 'mcs-system'];

describe('parseCertsCommand', () => {
  const accepted: { name: string; argv: string[]; want: Partial<CertsCommand> & Record<string, unknown> }[] =
    [
      {
        name: 'writes files with the defaults: 365 days, a ten-year CA, RSA',
        argv: [...BASE, '--out-dir', 'out'],
        want: {
          mode: 'files',
          outDir: 'out',
          request: {
            service: 'mcs-bridge-webhook',
            namespace: 'mcs-system',
            hosts: [],
            ips: [],
            days: 365,
            caDays: 3650,
            keyType: 'rsa',
          },
        },
      },
      {
        name: 'collects repeated hosts and IPs in order',
        argv: [
          ...BASE,
          '--out-dir',
          'o',
          '--host',
          'a.example.com',
          '--ip',
          '10.0.0.1',
          '--host',
          '*.b.example',
          '--ip',
          '::1',
        ],
        want: {
          request: {
            service: 'mcs-bridge-webhook',
            namespace: 'mcs-system',
            hosts: ['a.example.com', '*.b.example'],
            ips: ['10.0.0.1', '::1'],
            days: 365,
            caDays: 3650,
            keyType: 'rsa',
          },
        },
      },
      {
        name: 'lets the CA default outlive a certificate asked for more than ten years',
        argv: [...BASE, '--out-dir', 'o', '--days', '4000', '--key-type', 'ecdsa'],
        want: {
          request: {
            service: 'mcs-bridge-webhook',
            namespace: 'mcs-system',
            hosts: [],
            ips: [],
            days: 4000,
            caDays: 4000,
            keyType: 'ecdsa',
          },
        },
      },
      {
        name: 'stores in a Secret named after the Service by default, patching no configuration',
        argv: [...BASE, '--kubeconfig', 'kc'],
        want: {
          mode: 'kubernetes',
          kubeconfig: 'kc',
          context: undefined,
          secret: { namespace: 'mcs-system', name: 'mcs-bridge-webhook-tls' },
          webhookConfigurations: [],
          renew: false,
        },
      },
      {
        name: 'patches every named mutating and validating configuration, in the given context',
        argv: [
          ...BASE,
          '--kubeconfig',
          'kc',
          '--context',
          'hub',
          '--secret-name',
          'webhook-tls',
          '--mutating-webhook',
          'm1',
          '--validating-webhook',
          'v1',
          '--mutating-webhook',
          'm2',
          '--renew',
        ],
        want: {
          context: 'hub',
          secret: { namespace: 'mcs-system', name: 'webhook-tls' },
          webhookConfigurations: [
            { kind: 'MutatingWebhookConfiguration', name: 'm1' },
            { kind: 'MutatingWebhookConfiguration', name: 'm2' },
            { kind: 'ValidatingWebhookConfiguration', name: 'v1' },
          ],
          renew: true,
        },
      },
    ];
  for (const c of accepted) {
    it(`${c.name}`, () => {
      const cmd = parseCertsCommand(c.argv) as unknown as Record<string, unknown>;
      for (const [key, value] of Object.entries(c.want)) assert.deepEqual(cmd[key], value, key);
    });
  }

  const rejected: { name: string; argv: string[]; errors: (string | RegExp)[] }[] = [
    {
      name: 'requires the Service and the namespace',
      argv: ['--out-dir', 'o'],
      errors: ['--service is required', '--namespace is required'],
    },
    { name: 'requires a destination', argv: BASE, errors: ['one of --out-dir or --kubeconfig is required'] },
    {
      name: 'refuses files and a Secret at once',
      argv: [...BASE, '--out-dir', 'o', '--kubeconfig', 'kc'],
      errors: ['--out-dir and --kubeconfig cannot be used together: choose files or a Secret'],
    },
    {
      name: 'refuses cluster flags without --kubeconfig, naming each',
      argv: [...BASE, '--out-dir', 'o', '--context', 'c', '--mutating-webhook', 'm', '--renew'],
      errors: [
        '--context needs --kubeconfig',
        '--mutating-webhook needs --kubeconfig',
        '--renew needs --kubeconfig',
      ],
    },
    {
      name: 'names each bad value with its flag',
      argv: [
        '--service',
        '1webhook',
        '--namespace',
        'Mcs',
        '--out-dir',
        'o',
        '--host',
        'ok.example',
        '--host',
        'bad_host',
        '--ip',
        '10.0.0.256',
        '--key-type',
        'dsa',
      ],
      errors: [
        '--service: "1webhook" is not a valid Service name (a DNS-1035 label: lower-case letters, digits and \'-\', starting with a letter, at most 63 characters)',
        '--namespace: "Mcs" is not a valid namespace name (a DNS-1123 label: lower-case letters, digits and \'-\', at most 63 characters)',
        "--host: \"bad_host\" is not a valid DNS name (lower-case letters, digits, '-' and '.', optionally starting with '*.')",
        '--ip: "10.0.0.256" is not an IPv4 or IPv6 address',
        '--key-type: must be one of rsa, ecdsa, got "dsa"',
      ],
    },
    {
      name: 'wants whole, positive numbers of days',
      argv: [...BASE, '--out-dir', 'o', '--days', '1.5', '--ca-days', '0'],
      errors: [
        '--days: must be a whole number of days, got "1.5"',
        '--ca-days: must be a whole number of days between 1 and 36500, got 0',
      ],
    },
    {
      name: 'refuses a CA shorter-lived than its certificate',
      argv: [...BASE, '--out-dir', 'o', '--days', '400', '--ca-days', '300'],
      errors: ['--ca-days: must not be less than days (400), got 300'],
    },
    {
      name: 'refuses object names Kubernetes would refuse',
      argv: [...BASE, '--kubeconfig', 'kc', '--secret-name', 'Bad', '--validating-webhook', 'no/slash'],
      errors: [
        '--secret-name: "Bad" is not a valid Secret name (a DNS-1123 subdomain)',
        '--validating-webhook: "no/slash" is not a valid ValidatingWebhookConfiguration name (a DNS-1123 subdomain)',
      ],
    },
    { name: 'refuses an unknown flag', argv: [...BASE, '--out', 'o'], errors: [/^Unknown option '--out'/] },
  ];
  for (const c of rejected) {
    it(c.name, () => {
      assert.throws(
        () => parseCertsCommand(c.argv),
        (err: Error) => {
          assert.ok(err instanceof UsageError, 'a usage error');
          const lines = err.message.split('\n');
          assert.equal(lines.length, c.errors.length, err.message);
          for (const [i, want] of c.errors.entries()) {
            if (typeof want === 'string') assert.equal(lines[i], want);
            else assert.match(lines[i] ?? '', want);
          }
          return true;
        },
      );
    });
  }
});
