/**
 * `make dataplane-down` and friends: build, inspect or remove the data plane of a sandbox
 * by hand. `make demo-dataplane` (test/demo/dataplane.ts) is the guided way in.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_SANDBOX_DIR, Sandbox } from '../sandbox/sandbox.ts';
import { runCommand } from '../sandbox/testing.ts';
import { DataPlane } from './dataplane.ts';
import { assertPreflight, preflightProblems } from './preflight.ts';
import { dataPlaneTopology } from './topology.ts';

const HELP = `Usage: dataplane <command> [options]

The data plane of a sandbox, as network namespaces: member1's nginx pods, member2's node
with kube-proxy and CoreDNS, and a client pod in member2. Needs root.

Commands:
  up          build it for the nginx and curl pods of --namespace (removes an old one first)
  down        remove every namespace, process and file of it (safe to repeat)
  status      what of it exists
  curl URL    curl -s URL from the client pod in member2
  check       say whether this machine can run it

Options:
  --dir DIR         sandbox folder (default: $MCS_SANDBOX_DIR or .sandbox/)
  --namespace NS    for up (default: default)
`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      dir: { type: 'string' },
      namespace: { type: 'string', default: 'default' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(HELP);
    return values.help ? 0 : 2;
  }
  const dir = path.resolve(values.dir ?? process.env.MCS_SANDBOX_DIR ?? DEFAULT_SANDBOX_DIR);
  switch (command) {
    case 'up':
      // Before attaching: the sandbox's keys are root's, and "not root" is the clearer answer.
      await assertPreflight();
      await DataPlane.up(await Sandbox.attach(dir), { namespace: values.namespace });
      return 0;
    case 'down':
      await DataPlane.down(dir);
      process.stderr.write('dataplane: removed; nothing of it is left\n');
      return 0;
    case 'status': {
      const left = await DataPlane.leftovers(dir);
      for (const n of left.netns) process.stdout.write(`netns    ${n}\n`);
      for (const p of left.processes) process.stdout.write(`process  ${p.component} (pid ${p.pid})\n`);
      for (const e of left.etcNetns) process.stdout.write(`file     /etc/netns/${e}\n`);
      return 0;
    }
    case 'curl': {
      const { clientNetns } = dataPlaneTopology((await Sandbox.attach(dir)).layout);
      const r = await runCommand('ip', ['netns', 'exec', clientNetns, 'curl', '-s', ...rest]);
      process.stdout.write(r.stdout);
      process.stderr.write(r.stderr);
      return r.code;
    }
    case 'check': {
      const problems = await preflightProblems();
      process.stdout.write(
        problems.length ? `${problems.join('\n')}\n` : 'this machine can run the data plane\n',
      );
      return problems.length ? 1 : 0;
    }
    default:
      process.stderr.write(`dataplane: unknown command '${command}'\n\n${HELP}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`dataplane: ${err.message}\n`);
    process.exit(1);
  },
);
