#!/usr/bin/env node
/**
 * mcs-bridge-certs: generates the CA and serving certificate for the webhook.
 */
import { parseCommandLine, runMain } from '../lib/cli.ts';

const USAGE = `Usage: mcs-bridge-certs [options]

mcs-bridge-certs: generates the CA and serving certificate for the webhook.
This command is not implemented yet.

Options:
  -h, --help   show this help
`;

runMain('mcs-bridge-certs', async () => {
  const opts = parseCommandLine(
    { name: 'mcs-bridge-certs', usage: USAGE, options: {} },
    process.argv.slice(2),
  );
  if (!opts) return 0;
  process.stderr.write('mcs-bridge-certs: not implemented yet\n');
  return 1;
});
