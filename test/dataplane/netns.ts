/**
 * Network namespaces through iproute2's `ip`: the few operations the data plane needs,
 * each failing with the command and its stderr. Veths are created with both ends already
 * inside their namespaces (`ip link add … netns A type veth peer … netns B`), so no
 * interface ever appears in the root namespace, even for a moment.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs `ip` with these arguments; rejects naming the command and its stderr. */
export async function ip(args: string[]): Promise<string> {
  try {
    return (await run('ip', args)).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`ip ${args.join(' ')} failed: ${(e.stderr || e.message).trim()}`);
  }
}

/** Runs a command inside a namespace (`ip netns exec`); rejects naming it and its stderr. */
export async function execIn(netns: string, argv: string[]): Promise<string> {
  return ip(['netns', 'exec', netns, ...argv]);
}

/**
 * The names of the namespaces `ip netns` knows that start with `prefix`. Without iproute2
 * installed there are none of ours: we could not have made any.
 */
export async function listNetns(prefix: string): Promise<string[]> {
  const out = await run('ip', ['netns', 'list']).then(
    (r) => r.stdout,
    (err: { code?: string | number; stderr?: string; message: string }) => {
      if (err.code === 'ENOENT') return '';
      throw new Error(`ip netns list failed: ${(err.stderr || err.message).trim()}`);
    },
  );
  // Each line is "name" or "name (id: N)".
  return out
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(prefix));
}

/** Creates a namespace with its loopback up. */
export async function addNetns(name: string): Promise<void> {
  await ip(['netns', 'add', name]);
  await ip(['-n', name, 'link', 'set', 'lo', 'up']);
}

/** The pids of the processes inside a namespace ([] when it is gone). */
export async function netnsPids(name: string): Promise<number[]> {
  const out = await ip(['netns', 'pids', name]).catch(() => '');
  return out
    .split('\n')
    .map(Number)
    .filter((pid) => Number.isInteger(pid) && pid > 0);
}

/**
 * Deletes a namespace: first SIGKILLs what still runs inside (a namespace lives on while a
 * process holds it, and with it its interfaces, routes and nftables rules), then the name.
 * Whatever ran in a namespace of ours was started by us. Missing namespaces are fine.
 */
export async function deleteNetns(name: string): Promise<void> {
  for (const pid of await netnsPids(name)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  await ip(['netns', 'delete', name]).catch((err: Error) => {
    if (!/No such file|not found|Invalid argument/.test(err.message)) throw err;
  });
}

/** One end of a veth pair: an interface name inside a namespace. */
export interface VethEnd {
  netns: string;
  device: string;
}

/** Creates a veth pair between two namespaces and sets both ends up. */
export async function addVeth(a: VethEnd, b: VethEnd): Promise<void> {
  await ip([
    'link',
    'add',
    'name',
    a.device,
    'netns',
    a.netns,
    'type',
    'veth',
    'peer',
    'name',
    b.device,
    'netns',
    b.netns,
  ]);
  await ip(['-n', a.netns, 'link', 'set', a.device, 'up']);
  await ip(['-n', b.netns, 'link', 'set', b.device, 'up']);
}

/** Adds an address (`10.10.1.1/32`) to a device in a namespace. */
export async function addAddress(netns: string, device: string, cidr: string): Promise<void> {
  await ip(['-n', netns, 'addr', 'add', cidr, 'dev', device]);
}

/** Adds a route in a namespace, e.g. `['10.20.0.0/16', 'via', '10.20.0.1', 'dev', 'x', 'onlink']`. */
export async function addRoute(netns: string, route: string[]): Promise<void> {
  await ip(['-n', netns, 'route', 'add', ...route]);
}

/** Sets a sysctl inside a namespace (net.* sysctls are per namespace). */
export async function sysctl(netns: string, key: string, value: string): Promise<void> {
  await execIn(netns, ['sysctl', '-qw', `${key}=${value}`]);
}
