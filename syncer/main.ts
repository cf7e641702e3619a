#!/usr/bin/env node
/**
 * mcs-bridge-syncer: the syncer that propagates Services and EndpointSlices for MultiClusterService objects.
 */
import { parseCommandLine, runMain } from '../lib/cli.ts';

const USAGE = `Usage: mcs-bridge-syncer [options]

mcs-bridge-syncer: the syncer that propagates Services and EndpointSlices for MultiClusterService objects.
This command is not implemented yet.

Options:
  -h, --help   show this help
`;

runMain('mcs-bridge-syncer', async () => {
  const opts = parseCommandLine(
    { name: 'mcs-bridge-syncer', usage: USAGE, options: {} },
    process.argv.slice(2),
  );
  if (!opts) return 0;
  process.stderr.write('mcs-bridge-syncer: not implemented yet\n');
  return 1;
});
