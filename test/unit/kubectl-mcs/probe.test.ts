import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyProbe, probeCommand, probeEndpoints } from '../../../kubectl-mcs/probe.ts';
import { localSlice } from '../syncer/fixtures.ts';
import { healthy, M1, M2, withMemberFacts } from './fixtures.ts';

describe('kubectl mcs diagnose --probe-from', () => {
  const cases: [string, string, string, string, string][] = [
    ['a connect time above zero means connected, whatever followed', '0.000412 0', '', 'connected', 'in 0ms'],
    [
      'a connection that timed out after connecting still counts as connected',
      '0.001200 28',
      'curl: (28) Operation timed out after 3001 milliseconds with 0 bytes received',
      'connected',
      'in 1ms',
    ],
    [
      'exit 7 with a network that cannot be reached is unreachable, in the words of the socket error',
      '0.000000 7',
      "*   Trying 10.10.1.1:80...\n* connect to 10.10.1.1 port 80 failed: Network is unreachable\ncurl: (7) Failed to connect to 10.10.1.1 port 80 after 5 ms: Couldn't connect to server",
      'unreachable',
      'Network is unreachable',
    ],
    [
      'exit 7 with a refused connection is a refusal: the address answers, nothing listens',
      '0.000000 7',
      "* connect to 10.10.1.1 port 81 failed: Connection refused\ncurl: (7) Failed to connect to 10.10.1.1 port 81 after 0 ms: Couldn't connect to server",
      'refused',
      'Connection refused',
    ],
    [
      'exit 7 without curl saying why counts as unreachable',
      '0.000000 7',
      "curl: (7) Failed to connect to 10.10.1.1 port 80 after 3 ms: Couldn't connect to server",
      'unreachable',
      "curl: (7) Failed to connect to 10.10.1.1 port 80 after 3 ms: Couldn't connect to server",
    ],
    [
      'exit 28 with no connect time is silence',
      '0.000000 28',
      'curl: (28) Connection timed out',
      'unreachable',
      'no answer within 2s',
    ],
    [
      'no -w line at all means curl did not run in the pod',
      '',
      'exec: "curl": executable file not found in $PATH',
      'failed',
      'curl did not run in the pod: exec: "curl": executable file not found in $PATH',
    ],
  ];
  for (const [name, stdout, stderr, outcome, detail] of cases) {
    it(name, () => assert.deepEqual(classifyProbe(stdout, stderr, 2000), { outcome, detail }));
  }

  it('connects with curl, bounded, printing only the connect time and the exit code', () => {
    assert.deepEqual(probeCommand({ provider: M1, ip: '10.10.1.1', port: 80 }, 2000), [
      'curl',
      '-sSv',
      '-o',
      '/dev/null',
      '--connect-timeout',
      '2',
      '--max-time',
      '3',
      '-w',
      '%{time_connect} %{exitcode}',
      'http://10.10.1.1:80/',
    ]);
    assert.equal(
      probeCommand({ provider: M1, ip: 'fd00::5', port: 80 }, 1500).at(-1),
      'http://[fd00::5]:80/',
    );
  });

  it("probes the ready endpoints of the other providers, on the slices' TCP ports", () => {
    const f = withMemberFacts(healthy(), M1, {
      slices: [localSlice(M1, 'a', ['10.10.1.1']), localSlice(M1, 'b', ['10.10.1.9'], { ready: false })],
    });
    assert.deepEqual(probeEndpoints(f, M2, [M1]), [{ provider: M1, ip: '10.10.1.1', port: 80 }]);
    assert.deepEqual(probeEndpoints(f, M1, [M1]), [], "a cluster's own endpoints are not remote");
  });

  it('lists them by address, numbers compared as numbers, whatever order the slices hold them in', () => {
    const f = withMemberFacts(healthy(), M1, {
      slices: [
        localSlice(M1, 'a', ['10.10.1.10', '10.10.1.2']),
        localSlice(M1, 'b', ['10.10.1.9', '10.10.1.1']),
      ],
    });
    assert.deepEqual(
      probeEndpoints(f, M2, [M1]).map((e) => e.ip),
      ['10.10.1.1', '10.10.1.2', '10.10.1.9', '10.10.1.10'],
    );
  });
});
