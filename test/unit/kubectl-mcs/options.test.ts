import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { DIAGNOSE_USAGE, GET_USAGE, PLUGIN_USAGE, parsePluginArgs } from '../../../kubectl-mcs/options.ts';
import { UsageError } from '../../../lib/cli.ts';

describe('kubectl mcs: the command line', () => {
  it('takes the syncer’s flags for the hub and the members', () => {
    const c = parsePluginArgs([
      'diagnose',
      'nginx',
      '-n',
      'shop',
      '--context',
      'hub',
      '--member-kubeconfig',
      'm.kubeconfig',
      '--member-context',
      'member1',
      '--member-context',
      'member2',
      '--request-timeout',
      '3s',
      '-o',
      'json',
    ]);
    assert.equal(c.command, 'diagnose');
    if (c.command !== 'diagnose') return;
    assert.equal(c.name, 'nginx');
    assert.equal(c.namespace, 'shop');
    assert.equal(c.clusterSource, 'kubeconfig');
    assert.deepEqual(c.memberContexts, ['member1', 'member2']);
    assert.equal(c.requestTimeoutMs, 3000);
    assert.equal(c.output, 'json');
    assert.deepEqual(c.syncerLease, { namespace: 'mcs-system', name: 'mcs-bridge-syncer' });
  });

  it('reads --probe-from with and without a namespace', () => {
    const a = parsePluginArgs(['diagnose', 'nginx', '--probe-from', 'member2/deploy/curl']);
    const b = parsePluginArgs(['diagnose', 'nginx', '--probe-from', 'member2/tools/pod/curl-0']);
    assert.deepEqual(a.command === 'diagnose' && a.probeFrom, {
      cluster: 'member2',
      namespace: undefined,
      kind: 'deploy',
      name: 'curl',
    });
    assert.deepEqual(b.command === 'diagnose' && b.probeFrom, {
      cluster: 'member2',
      namespace: 'tools',
      kind: 'pod',
      name: 'curl-0',
    });
  });

  it('shows in docs/kubectl-mcs.md the --help it prints', () => {
    const doc = readFileSync(new URL('../../../docs/kubectl-mcs.md', import.meta.url), 'utf8');
    assert.ok(
      doc.includes(`\n${DIAGNOSE_USAGE}\`\`\``),
      'docs/kubectl-mcs.md quotes `kubectl mcs diagnose --help` as it is',
    );
  });

  it('answers --help on the plugin and on each command', () => {
    assert.deepEqual(parsePluginArgs(['--help']), { command: 'help', usage: PLUGIN_USAGE });
    assert.deepEqual(parsePluginArgs([]), { command: 'help', usage: PLUGIN_USAGE });
    assert.deepEqual(parsePluginArgs(['diagnose', '--help']), { command: 'help', usage: DIAGNOSE_USAGE });
    assert.deepEqual(parsePluginArgs(['get', '-h']), { command: 'help', usage: GET_USAGE });
  });

  const bad: [string, string[], RegExp][] = [
    ['an unknown command', ['describe'], /unknown command 'describe'/],
    ['diagnose without a name', ['diagnose'], /needs the name of a MultiClusterService/],
    ['diagnose with two names', ['diagnose', 'a', 'b'], /takes one name/],
    ['an unknown flag', ['diagnose', 'a', '--frobnicate'], /frobnicate/],
    ['a bad cluster source', ['get', '--cluster-source', 'magic'], /--cluster-source: 'magic'/],
    [
      'the kubeconfig source without its file',
      ['get', '--cluster-source', 'kubeconfig'],
      /needs --member-kubeconfig/,
    ],
    ['a bad output format', ['get', '-o', 'yaml'], /--output: 'yaml'/],
    ['a bad timeout', ['get', '--request-timeout', 'soon'], /--request-timeout/],
    ['a zero timeout', ['get', '--request-timeout', '0s'], /--request-timeout must be longer than 0/],
    ['a Lease without its namespace', ['diagnose', 'a', '--syncer-lease', 'lease'], /NAMESPACE\/NAME/],
    ['a syncer URL that is not one', ['diagnose', 'a', '--syncer-url', 'localhost:8081'], /--syncer-url/],
    [
      'a probe target of an unknown kind',
      ['diagnose', 'a', '--probe-from', 'member2/svc/curl'],
      /kind 'svc'/,
    ],
    [
      'a probe target without a kind',
      ['diagnose', 'a', '--probe-from', 'member2/curl'],
      /CLUSTER\/\[NAMESPACE\/\]KIND\/NAME/,
    ],
    ['a namespace that is not a name', ['get', '-n', 'Shop_1'], /--namespace: 'Shop_1'/],
  ];
  for (const [name, argv, message] of bad) {
    it(`refuses ${name}, saying what`, () =>
      assert.throws(
        () => parsePluginArgs(argv),
        (err: Error) => err instanceof UsageError && message.test(err.message),
      ));
  }
});
