/**
 * The apiserver bridge as a process (see ../bridge.ts for why it exists):
 *   apiserver-bridge.ts --listen tcp:HOST:PORT|unix:PATH --connect tcp:HOST:PORT|unix:PATH
 */
import { parseArgs } from 'node:util';
import { describeEndpoint, parseEndpoint, startBridge } from '../bridge.ts';

try {
  const { values } = parseArgs({ options: { listen: { type: 'string' }, connect: { type: 'string' } } });
  if (!values.listen || !values.connect)
    throw new Error('usage: apiserver-bridge.ts --listen EP --connect EP');
  const listen = parseEndpoint(values.listen, '--listen');
  const connect = parseEndpoint(values.connect, '--connect');
  await startBridge(listen, connect);
  process.stdout.write(
    `apiserver-bridge: forwarding ${describeEndpoint(listen)} to ${describeEndpoint(connect)}\n`,
  );
  // Exit at once: server.close() would wait for kube-proxy's and CoreDNS's watch streams,
  // which stay open until those stop too.
  const stop = () => process.exit(0);
  process.on('SIGTERM', stop).on('SIGINT', stop);
} catch (err) {
  process.stderr.write(`apiserver-bridge: ${(err as Error).message}\n`);
  process.exit(1);
}
