import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WriteEchoes } from '../../../syncer/engine/echoes.ts';

const ref = { cluster: 'member2', kind: 'EndpointSlice', namespace: 'default', name: 'member1-nginx-abc' };

describe('echoes of our own writes', () => {
  it('recognises the event that carries the version our write returned, once', () => {
    const e = new WriteEchoes(() => 0);
    e.wrote(ref, '42');
    assert.equal(e.isEcho(ref, '42', false), true);
    assert.equal(e.isEcho(ref, '42', false), false, 'only once');
  });

  it("does not take anyone else's change for an echo", () => {
    const e = new WriteEchoes(() => 0);
    e.wrote(ref, '42');
    assert.equal(e.isEcho(ref, '43', false), false);
    assert.equal(e.isEcho({ ...ref, cluster: 'member3' }, '42', false), false, 'same name, other cluster');
    assert.equal(e.isEcho({ ...ref, kind: 'Service' }, '42', false), false, 'same name, other kind');
  });

  it('recognises both writes of one object in one reconcile, in any order', () => {
    const e = new WriteEchoes(() => 0);
    e.wrote(ref, '10');
    e.wrote(ref, '11');
    assert.equal(e.isEcho(ref, '11', false), true);
    assert.equal(e.isEcho(ref, '10', false), true);
    assert.equal(e.size, 0);
  });

  it('recognises the delete event of our delete, and not an update', () => {
    const e = new WriteEchoes(() => 0);
    e.wrote(ref, undefined);
    assert.equal(e.isEcho(ref, '50', false), false);
    assert.equal(e.isEcho(ref, '50', true), true);
  });

  it('forgets writes whose events never came', () => {
    let now = 0;
    const e = new WriteEchoes(() => now, 1_000);
    e.wrote(ref, '42');
    now = 2_000;
    e.sweep();
    assert.equal(e.size, 0);
    assert.equal(e.isEcho(ref, '42', false), false);
  });
});
