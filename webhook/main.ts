#!/usr/bin/env node
/**
 * mcs-bridge-webhook: the admission webhook that validates and defaults MultiClusterService objects.
 */
import { parseCommandLine, runMain } from '../lib/cli.ts';

const USAGE = `Usage: mcs-bridge-webhook [options]

mcs-bridge-webhook: the admission webhook that validates and defaults MultiClusterService objects.
This command is not implemented yet.

Options:
  -h, --help   show this help
`;

runMain('mcs-bridge-webhook', async () => {
  const opts = parseCommandLine(
    { name: 'mcs-bridge-webhook', usage: USAGE, options: {} },
    process.argv.slice(2),
  );
  if (!opts) return 0;
  process.stderr.write('mcs-bridge-webhook: not implemented yet\n');
  return 1;
});
