/**
 * The webhook's API reads on a real socket: at its bound a read's request is aborted and its
 * connection closed, not left open behind a warning given up on.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { karmadaClusterDirectory, kubeServiceLookup } from '../../../webhook/lookups/kube-lookups.ts';
import { type LoopbackApi, startLoopbackApi } from '../harness/loopback-api.ts';

describe('the webhook’s API reads against a server that never answers', () => {
  let api: LoopbackApi;
  before(async () => {
    api = await startLoopbackApi();
  });
  after(() => api.close());

  /**
   * Fires the signal once the server holds the request: on a busy machine the TLS handshake alone
   * may outlast a fixed delay, and a request aborted before it was sent proves nothing here.
   */
  const abortOnceReceived = async (controller: AbortController) => {
    for (let t = 0; t < 1_000 && api.seen.length === 0; t++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(api.seen.length, 1, 'the server got the request');
    controller.abort(new Error('the bound of the admission request'));
  };

  it('aborts the Service read and closes its connection when the signal fires', async () => {
    api.seen.length = 0;
    const controller = new AbortController();
    const read = kubeServiceLookup(api.kc).serviceExists('default', 'nginx', controller.signal);
    await abortOnceReceived(controller);
    await assert.rejects(read, /failed to read Service default\/nginx/);
    assert.equal(await api.closedSoon(0), true);
  });

  it('aborts the cluster list and closes its connection when the signal fires', async () => {
    api.seen.length = 0;
    const controller = new AbortController();
    const read = karmadaClusterDirectory(api.kc).clusterNames(controller.signal);
    await abortOnceReceived(controller);
    await assert.rejects(read, /failed to list clusters.cluster.karmada.io/);
    assert.equal(await api.closedSoon(0), true);
  });
});
