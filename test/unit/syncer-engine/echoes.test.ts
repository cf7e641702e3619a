import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WriteEchoes } from '../../../syncer/engine/echoes.ts';

const ref = { cluster: 'member2', kind: 'EndpointSlice', namespace: 'default', name: 'member1-nginx-abc' };

/** A write of ours: announced, then answered with `outcome`. */
function write(e: WriteEchoes, outcome: string | 'deleted' | 'failed' | undefined) {
  e.sending(ref);
  e.answered(ref, outcome);
}

describe('echoes of our own writes', () => {
  it('expects no echo of a write that changed nothing (a delete answered 404), so a later delete by someone else is seen', () => {
    const e = new WriteEchoes(() => 0);
    write(e, undefined);
    assert.equal(e.size, 0, 'nothing remembered');
    let changed = 0;
    assert.equal(
      e.absorbs(ref, undefined, true, () => changed++),
      false,
      'a delete event after it is acted on',
    );
  });

  it('absorbs the event that carries the version our write returned, once', () => {
    const e = new WriteEchoes(() => 0);
    write(e, '42');
    let changed = 0;
    assert.equal(
      e.absorbs(ref, '42', false, () => changed++),
      true,
    );
    assert.equal(
      e.absorbs(ref, '42', false, () => changed++),
      false,
      'only once',
    );
    assert.equal(changed, 0);
  });

  it("does not take anyone else's change for an echo", () => {
    const e = new WriteEchoes(() => 0);
    write(e, '42');
    assert.equal(
      e.absorbs(ref, '43', false, () => {}),
      false,
    );
    assert.equal(
      e.absorbs({ ...ref, cluster: 'member3' }, '42', false, () => {}),
      false,
      'same name, other cluster',
    );
    assert.equal(
      e.absorbs({ ...ref, kind: 'Service' }, '42', false, () => {}),
      false,
      'same name, other kind',
    );
  });

  it('holds an event that arrives before the answer, and drops it when it was the echo', () => {
    const e = new WriteEchoes(() => 0);
    let changed = 0;
    e.sending(ref);
    assert.equal(
      e.absorbs(ref, '42', false, () => changed++),
      true,
      'held',
    );
    e.answered(ref, '42');
    assert.equal(changed, 0);
    assert.equal(e.size, 0);
  });

  it('passes on an event held during a write when it was someone else’s change', () => {
    const e = new WriteEchoes(() => 0);
    let changed = 0;
    e.sending(ref);
    e.absorbs(ref, '41', false, () => changed++);
    e.answered(ref, '42');
    assert.equal(changed, 1);
  });

  it('passes on held events when the write failed', () => {
    const e = new WriteEchoes(() => 0);
    let changed = 0;
    e.sending(ref);
    e.absorbs(ref, '41', false, () => changed++);
    e.answered(ref, 'failed');
    assert.equal(changed, 1);
  });

  it('recognises both writes of one object in one reconcile, in any order', () => {
    const e = new WriteEchoes(() => 0);
    write(e, '10');
    write(e, '11');
    assert.equal(
      e.absorbs(ref, '11', false, () => {}),
      true,
    );
    assert.equal(
      e.absorbs(ref, '10', false, () => {}),
      true,
    );
    assert.equal(e.size, 0);
  });

  it('absorbs the delete event of our delete, and not an update', () => {
    const e = new WriteEchoes(() => 0);
    write(e, 'deleted');
    assert.equal(
      e.absorbs(ref, '50', false, () => {}),
      false,
    );
    assert.equal(
      e.absorbs(ref, '50', true, () => {}),
      true,
    );
  });

  it('forgets writes whose events never came, releasing any event still held', () => {
    let now = 0;
    const e = new WriteEchoes(() => now, 1_000);
    let changed = 0;
    e.sending(ref); // never answered
    e.absorbs(ref, '9', false, () => changed++);
    now = 2_000;
    e.sweep();
    assert.equal(changed, 1, 'the held event is passed on');
    assert.equal(e.size, 0);
  });
});
