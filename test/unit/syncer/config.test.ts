import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSyncerArgs } from '../../../syncer/config.ts';

const timings = (lease: string, renew: string, retry: string) => [
  '--member-kubeconfig=m.kubeconfig',
  `--lease-duration=${lease}`,
  `--renew-deadline=${renew}`,
  `--retry-period=${retry}`,
];

describe('the leader election flags', () => {
  const accepted: Array<[string, string[]]> = [
    ['accepts client-go’s defaults (15s, 10s, 2s)', []],
    ['accepts a renew deadline one second short of the lease duration', timings('6s', '5s', '1s')],
  ];
  for (const [name, argv] of accepted) {
    it(name, () => assert.ok(parseSyncerArgs(['--member-kubeconfig=m.kubeconfig', ...argv])));
  }

  const refused: Array<[string, string[], RegExp]> = [
    [
      'refuses a renew deadline as long as the lease duration, naming both flags',
      timings('10s', '10s', '2s'),
      /--renew-deadline \(10s\) must be shorter than --lease-duration \(10s\) by at least 1s: a leader must have stopped writing before a standby may take over$/,
    ],
    [
      'refuses a renew deadline closer to the lease duration than the clock skew margin',
      timings('10s', '9500ms', '2s'),
      /--renew-deadline \(9.5s\) must be shorter than --lease-duration \(10s\) by at least 1s/,
    ],
    [
      'refuses a retry period that leaves no room for a retry before the renew deadline',
      timings('15s', '10s', '9s'),
      /--retry-period \(9s\) must be shorter than --renew-deadline \(10s\) \/ 1.2/,
    ],
  ];
  for (const [name, argv, message] of refused) {
    it(name, () => assert.throws(() => parseSyncerArgs(argv), message));
  }

  it('gives the defaults when no timing is set', () => {
    const c = parseSyncerArgs(['--member-kubeconfig=m.kubeconfig']);
    assert.deepEqual([c?.leaseDurationMs, c?.renewDeadlineMs, c?.retryPeriodMs], [15_000, 10_000, 2_000]);
  });
});

describe('the request bound', () => {
  it('bounds every request at 30 s unless --request-timeout says otherwise', () => {
    assert.equal(parseSyncerArgs(['--member-kubeconfig=m.kubeconfig'])?.requestTimeoutMs, 30_000);
    assert.equal(
      parseSyncerArgs(['--member-kubeconfig=m.kubeconfig', '--request-timeout=5s'])?.requestTimeoutMs,
      5_000,
    );
  });

  it('refuses a request bound under a second, naming the flag', () => {
    assert.throws(
      () => parseSyncerArgs(['--member-kubeconfig=m.kubeconfig', '--request-timeout=200ms']),
      /--request-timeout must be at least 1s/,
    );
  });
});

describe('the MCS API flag', () => {
  const cases: Array<[string, string[], boolean]> = [
    ['serves the MCS API unless told otherwise', [], true],
    ['serves it with --mcs-api=on', ['--mcs-api=on'], true],
    ['does not serve it with --mcs-api=off', ['--mcs-api=off'], false],
  ];
  for (const [name, argv, want] of cases) {
    it(name, () =>
      assert.equal(parseSyncerArgs(['--member-kubeconfig=m.kubeconfig', ...argv])?.mcsApi, want),
    );
  }

  it('refuses another value, naming the flag and the choices', () => {
    assert.throws(
      () => parseSyncerArgs(['--member-kubeconfig=m.kubeconfig', '--mcs-api=yes']),
      /--mcs-api: 'yes' is not one of on, off/,
    );
  });
});
