import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1EndpointSlice } from '@kubernetes/client-node';
import { mcsLines, renderLines } from '../../../kubectl-mcs/get.ts';
import { healthy, M1, M2, memberFacts, reportedMcs } from './fixtures.ts';

describe('kubectl mcs get', () => {
  const f = healthy();
  const slices = new Map<string, V1EndpointSlice[] | undefined>([
    [M1, [...memberFacts(f, M1).slices]],
    [M2, [...memberFacts(f, M2).slices]],
  ]);

  it("counts each provider's own endpoints and each consumer's copied ones", () => {
    assert.deepEqual(mcsLines([reportedMcs()], slices), [
      {
        namespace: 'default',
        name: 'nginx',
        types: ['CrossCluster'],
        providers: [{ cluster: M1, ready: 2, total: 2 }],
        consumers: [{ cluster: M2, ready: 2, total: 2 }],
        status: 'ok',
      },
    ]);
  });

  it('marks a cluster it could not read with a question mark, and a failing condition in STATUS', () => {
    const mcs = reportedMcs({}, [
      {
        type: 'ServiceApplied',
        status: 'False',
        lastTransitionTime: 'x',
        reason: 'ClusterNotReady',
        message: 'm',
      },
    ]);
    const text = renderLines(mcsLines([mcs], new Map([...slices, [M2, undefined]])));
    assert.equal(
      text,
      `NAMESPACE   NAME    TYPES          PROVIDERS (READY/ALL)   CONSUMERS (COPIED READY/ALL)   STATUS
default     nginx   CrossCluster   member1 2/2             member2 ?                      ServiceApplied=False (ClusterNotReady)
`,
    );
  });

  it('says when there is nothing to list', () => {
    assert.equal(renderLines([]), 'No MultiClusterServices found.\n');
  });
});
