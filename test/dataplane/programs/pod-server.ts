/**
 * What runs in a member1 "pod" namespace in place of the nginx container: an HTTP server
 * that answers every request as the seed guide's nginx does, with the pod's name.
 *   pod-server.ts --name POD [--port 80]
 */
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { name: { type: 'string' }, port: { type: 'string', default: '80' } },
});
if (!values.name) {
  process.stderr.write('pod-server: --name POD is required\n');
  process.exit(2);
}
const body = `Hello, world!\nVersion: 1.0.0\nHostname: ${values.name}\n`;
const server = http.createServer((_req, res) => {
  // No keep-alive: each curl is a new connection, so kube-proxy picks an endpoint every time.
  res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' }).end(body);
});
server.on('error', (err) => {
  process.stderr.write(`pod-server ${values.name}: ${err.message}\n`);
  process.exit(1);
});
server.listen(Number(values.port), '0.0.0.0', () => {
  process.stdout.write(`pod-server ${values.name}: listening on port ${values.port}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop).on('SIGINT', stop);
