/**
 * The API server's way into a node network (see ../connect-proxy.ts):
 *   kubelet-egress-proxy.ts --listen PATH --allow HOST:PORT [--allow …]
 */
import { parseArgs } from 'node:util';
import { startConnectProxy } from '../connect-proxy.ts';

try {
  const { values } = parseArgs({
    options: { listen: { type: 'string' }, allow: { type: 'string', multiple: true } },
  });
  if (!values.listen || !values.allow?.length)
    throw new Error('usage: kubelet-egress-proxy.ts --listen PATH --allow HOST:PORT');
  const log = (line: string) => process.stdout.write(`kubelet-egress-proxy: ${line}\n`);
  await startConnectProxy(values.listen, new Set(values.allow), log);
  log(`listening on unix:${values.listen}, tunnelling to ${values.allow.join(', ')}`);
  const stop = () => process.exit(0);
  process.on('SIGTERM', stop).on('SIGINT', stop);
} catch (err) {
  process.stderr.write(`kubelet-egress-proxy: ${(err as Error).message}\n`);
  process.exit(1);
}
