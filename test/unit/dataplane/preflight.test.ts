import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { preflightProblems } from '../../dataplane/preflight.ts';

/** A probe where `missing` commands are absent and `ip netns list` fails with `netnsError`. */
const probe =
  (missing: string[] = [], netnsError?: string) =>
  async (cmd: string, args: string[]) => {
    if (cmd === 'sh' && missing.some((m) => args[1] === `command -v ${m}`)) throw new Error('not found');
    if (cmd === 'ip' && netnsError) throw Object.assign(new Error('exit 1'), { stderr: netnsError });
  };

describe('the data plane preflight', () => {
  it('finds nothing to object to as root with every tool and ip netns working', async () => {
    assert.deepEqual(await preflightProblems(0, probe()), []);
  });

  it('refuses to run as anyone but root, saying why', async () => {
    const [problem] = await preflightProblems(1000, probe());
    assert.match(problem ?? '', /^it must run as root \(uid 0, not 1000\)/);
  });

  it('names each missing tool with the Debian package that has it and the make target', async () => {
    const [problem] = await preflightProblems(0, probe(['nft', 'curl']));
    assert.equal(
      problem,
      "missing tools: nft (Debian package nftables, for kube-proxy's nftables mode), curl (Debian package curl, for the client pod); 'make dataplane-deps' installs them",
    );
  });

  it("reports ip netns itself failing, with iproute2's own words", async () => {
    const problems = await preflightProblems(
      0,
      probe([], 'mount --make-shared /run/netns failed: Operation not permitted'),
    );
    assert.deepEqual(problems, [
      "'ip netns' is unavailable: mount --make-shared /run/netns failed: Operation not permitted",
    ]);
  });
});
