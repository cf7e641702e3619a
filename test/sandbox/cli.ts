/**
 * `make sandbox-up|sandbox-down|sandbox-status` and the runner `make test` uses to wrap
 * the end-to-end suites in a sandbox of their own.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  allComponents,
  componentName,
  DEFAULT_BASE_PORT,
  EXTRA_MEMBERS,
  type ExtraMember,
  type KarmadaOptions,
  MEMBERS,
  type PullMember,
  type SandboxShape,
} from './layout.ts';
import { findSandboxProcesses } from './processes.ts';
import { DEFAULT_SANDBOX_DIR, REPO_ROOT, Sandbox } from './sandbox.ts';

const HELP = `Usage: sandbox <command> [options]

A local sandbox of real Kubernetes clusters: one etcd, the hub, member1 and member2
kube-apiservers on 127.0.0.1, and per member a controller manager, a scheduler and kwok.

Commands:
  up        start the sandbox (or keep the healthy one already running) and print how to use it
  down      stop every process of the sandbox; leaves no process and no port behind
  status    list the sandbox's processes
  karmada-mcs on|off
            restart karmada-controller-manager with Karmada's MultiClusterService feature
            gate and its three controllers on (or off again); only with --karmada
  join-mode [MEMBER...]
            join the named members in Pull mode and the others in Push mode, each that
            changes leaving and joining again; only with --karmada
  run -- CMD [ARGS...]
            start a sandbox, run CMD with MCS_SANDBOX_DIR set to it, stop the sandbox,
            and exit with CMD's status (what 'make test' uses for the end-to-end suites)

Options:
  --dir DIR         sandbox folder (default: $MCS_SANDBOX_DIR or .sandbox/)
  --port-base N     first of the 100 ports the sandbox uses (default: $MCS_SANDBOX_PORT_BASE or ${DEFAULT_BASE_PORT})
  --extra-member M  also run the bare API-server member M (member3), for tests needing a third cluster
  --karmada         also run Karmada v1.18.2's control plane on the hub (aggregated apiserver,
                    webhook, controller manager with its MultiClusterService gate off, scheduler),
                    join member1 and member2 in Push mode, and add the bare cluster karmada-host
  --pull M          with --karmada: join member M (member1, member2) in Pull mode instead, as
                    'karmadactl register' does: a karmada-agent beside it, its Cluster made by
                    the agent (repeatable; make sandbox-up KARMADA=1 PULL=member2)
  -h, --help        show this help
`;

async function main(argv: string[]): Promise<number> {
  const dash = argv.indexOf('--');
  const own = dash >= 0 ? argv.slice(0, dash) : argv;
  const rest = dash >= 0 ? argv.slice(dash + 1) : [];
  const { values, positionals } = parseArgs({
    args: own,
    allowPositionals: true,
    options: {
      dir: { type: 'string' },
      'port-base': { type: 'string' },
      'extra-member': { type: 'string', multiple: true },
      karmada: { type: 'boolean' },
      pull: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help || !command) {
    process.stdout.write(HELP);
    return values.help ? 0 : 2;
  }
  const dir = path.resolve(values.dir ?? process.env.MCS_SANDBOX_DIR ?? DEFAULT_SANDBOX_DIR);
  const portText = values['port-base'] ?? process.env.MCS_SANDBOX_PORT_BASE;
  const basePort = portText === undefined ? DEFAULT_BASE_PORT : Number(portText);
  if (!Number.isInteger(basePort)) throw new Error(`--port-base must be a port number, not '${portText}'`);
  const extraMembers = (values['extra-member'] ?? []).map((m) => {
    if (!(EXTRA_MEMBERS as readonly string[]).includes(m)) {
      throw new Error(`--extra-member: '${m}' is not one of ${EXTRA_MEMBERS.join(', ')}`);
    }
    return m as ExtraMember;
  });
  const pullMembers = (values.pull ?? [])
    .flatMap((m) => m.split(/[ ,]+/))
    .filter(Boolean)
    .map(pullMember);
  if (pullMembers.length > 0 && !values.karmada) throw new Error('--pull needs --karmada');
  const karmada: KarmadaOptions | undefined = values.karmada
    ? { multiClusterService: false, ...(pullMembers.length > 0 ? { pullMembers } : {}) }
    : undefined;

  switch (command) {
    case 'up': {
      const sb = await Sandbox.up({ dir, basePort, extraMembers, karmada });
      const rel = path.relative(REPO_ROOT, sb.layout.kubeconfig) || sb.layout.kubeconfig;
      const contexts = sb.karmada
        ? 'hub (also karmada-apiserver: Karmada runs on it), member1, member2 (joined to Karmada), karmada-host'
        : 'hub, member1, member2';
      process.stdout.write(
        `\nThe sandbox is running (logs in ${path.relative(REPO_ROOT, sb.layout.logsDir)}/). Try:\n` +
          `  export KUBECONFIG=${sb.layout.kubeconfig}\n` +
          `  ${sb.binDir}/kubectl --context member1 get nodes\n` +
          `  ${sb.binDir}/kubectl --context hub get ns\n` +
          `Contexts: ${contexts} (in ${rel}). kubectl and helm are in ${sb.binDir}.\n` +
          'Stop it with: make sandbox-down\n',
      );
      return 0;
    }
    case 'down':
      await Sandbox.down({ dir });
      return 0;
    case 'status': {
      const procs = await findSandboxProcesses(dir);
      const byName = new Map(procs.map((p) => [p.component, p.pid]));
      const shape: SandboxShape = await Sandbox.attach(dir).then(
        (sb) => sb.shape,
        () => ({ extraMembers, karmada }),
      );
      for (const id of allComponents(shape)) {
        const name = componentName(id);
        const pid = byName.get(name);
        process.stdout.write(`${name.padEnd(38)} ${pid ? `running (pid ${pid})` : 'stopped'}\n`);
        byName.delete(name);
      }
      for (const [name, pid] of byName) process.stdout.write(`${name.padEnd(38)} running (pid ${pid})\n`);
      return 0;
    }
    case 'karmada-mcs': {
      const on = positionals[1];
      if (on !== 'on' && on !== 'off') throw new Error(`karmada-mcs takes 'on' or 'off', not '${on ?? ''}'`);
      await (await Sandbox.attach(dir)).setKarmadaMultiClusterService(on === 'on');
      process.stdout.write(`karmada-controller-manager restarted with its MultiClusterService gate ${on}\n`);
      return 0;
    }
    case 'join-mode': {
      const sb = await Sandbox.attach(dir);
      await sb.setPullMembers(positionals.slice(1).map(pullMember));
      process.stdout.write(
        `${MEMBERS.map((m) => `${m}: ${(sb.karmada?.pullMembers ?? []).includes(m) ? 'Pull' : 'Push'}`).join(', ')}\n`,
      );
      return 0;
    }
    case 'run':
      return runWrapped(dir, basePort, { extraMembers, karmada }, rest);
    default:
      process.stderr.write(`sandbox: unknown command '${command}'\n\n${HELP}`);
      return 2;
  }
}

async function runWrapped(
  dir: string,
  basePort: number,
  shape: { extraMembers: ExtraMember[]; karmada: KarmadaOptions | undefined },
  cmd: string[],
): Promise<number> {
  const [bin, ...args] = cmd;
  if (!bin) throw new Error("'run' needs a command after --");
  await Sandbox.up({ dir, basePort, ...shape });
  let code = 1;
  try {
    code = await new Promise<number>((resolve, reject) => {
      const child = spawn(bin, args, { stdio: 'inherit', env: { ...process.env, MCS_SANDBOX_DIR: dir } });
      const forward = (sig: NodeJS.Signals) => child.kill(sig);
      process.on('SIGINT', forward).on('SIGTERM', forward);
      child.once('error', reject);
      child.once('exit', (c, sig) => resolve(c ?? (sig ? 128 + 15 : 1)));
    });
  } finally {
    await Sandbox.down({ dir });
  }
  return code;
}

/** A member name given to --pull or join-mode, checked. */
function pullMember(m: string): PullMember {
  if (!(MEMBERS as readonly string[]).includes(m))
    throw new Error(`'${m}' cannot join in Pull mode: not one of ${MEMBERS.join(', ')}`);
  return m as PullMember;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`sandbox: ${err.message}\n`);
    process.exit(1);
  },
);
