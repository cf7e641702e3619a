/**
 * What the data plane needs from the machine, checked before anything is touched, so it
 * refuses with one clear message instead of failing half-way through.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A command the data plane runs, and the Debian package that provides it. */
export const REQUIRED_TOOLS = [
  { command: 'ip', package: 'iproute2', why: 'network namespaces and veths' },
  { command: 'nft', package: 'nftables', why: "kube-proxy's nftables mode" },
  { command: 'curl', package: 'curl', why: 'the client pod' },
  { command: 'sysctl', package: 'procps', why: 'IP forwarding in the node namespaces' },
] as const;

/** Why the data plane cannot run here, or [] when it can. `uid` and `probe` are for tests. */
export async function preflightProblems(
  uid: number = process.getuid?.() ?? -1,
  probe: (cmd: string, args: string[]) => Promise<unknown> = (cmd, args) => run(cmd, args),
): Promise<string[]> {
  const problems: string[] = [];
  if (uid !== 0) {
    problems.push(
      `it must run as root (uid 0, not ${uid}): creating network namespaces and kube-proxy's rules needs CAP_NET_ADMIN and CAP_SYS_ADMIN`,
    );
  }
  const missing: string[] = [];
  for (const tool of REQUIRED_TOOLS) {
    const found = await probe('sh', ['-c', `command -v ${tool.command}`]).then(
      () => true,
      () => false,
    );
    if (!found) missing.push(`${tool.command} (Debian package ${tool.package}, for ${tool.why})`);
  }
  if (missing.length > 0) {
    problems.push(`missing tools: ${missing.join(', ')}; 'make dataplane-deps' installs them`);
  } else if (uid === 0) {
    // `ip netns` needs kernel support and a writable /run/netns; listing is the cheapest proof.
    await probe('ip', ['netns', 'list']).catch((err: { stderr?: string; message: string }) => {
      problems.push(`'ip netns' is unavailable: ${(err.stderr || err.message).trim()}`);
    });
  }
  return problems;
}

/** Throws one error naming every problem when the data plane cannot run here. */
export async function assertPreflight(): Promise<void> {
  const problems = await preflightProblems();
  if (problems.length > 0) {
    throw new Error(`the data plane cannot be set up on this machine: ${problems.join('; ')}`);
  }
}
