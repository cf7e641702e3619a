#!/usr/bin/env node
/**
 * kubectl-mcs: the `kubectl mcs` plugin (kubectl runs `kubectl-mcs` from PATH with the
 * arguments after `mcs`). This file wires the reads, the pure diagnosis and the output, and
 * turns every failure into one line on stderr and an exit status (see DIAGNOSE_USAGE).
 */
import { UsageError } from '../lib/cli.ts';
import { loadHubKubeConfig } from '../syncer/kube/hub-kubeconfig.ts';
import { resolveClusterSets } from '../syncer/plan/clusters.ts';
import type { Target } from './api.ts';
import { readLines, renderLines } from './get.ts';
import { loadMembers } from './members.ts';
import { type PluginCommand, parsePluginArgs } from './options.ts';
import { runProbes } from './probe.ts';
import { readFacts } from './read.ts';
import { diagnose, renderJson, renderTable } from './report.ts';

/** Exit statuses. */
const OK = 0;
const PROBLEMS = 1;
const USAGE = 2;
const CANNOT_READ = 3;

async function run(cmd: Exclude<PluginCommand, { command: 'help' }>): Promise<{ out: string; code: number }> {
  const hub: Target = {
    cluster: 'hub',
    kubeConfig: loadHubKubeConfig(cmd),
    timeoutMs: cmd.requestTimeoutMs,
  };
  const members = await loadMembers(cmd, hub);
  if (cmd.command === 'get') {
    const lines = await readLines(hub, members, cmd.allNamespaces ? undefined : cmd.namespace);
    return {
      out: cmd.output === 'json' ? `${JSON.stringify(lines, null, 2)}\n` : renderLines(lines),
      code: OK,
    };
  }
  const read = {
    namespace: cmd.namespace,
    name: cmd.name,
    lease: cmd.syncerLease,
    syncerUrl: cmd.syncerUrl,
    timeoutMs: cmd.requestTimeoutMs,
  };
  let facts = await readFacts(read, hub, members, Date.now);
  if (cmd.probeFrom) {
    const from = cmd.probeFrom;
    const member = members.members.find((m) => m.name === from.cluster);
    if (!member) throw new Error(`--probe-from: ${from.cluster} is not a member cluster`);
    const sets = resolveClusterSets(
      facts.mcs.spec ?? { types: [] },
      members.members.map((m) => m.name),
    );
    const probes = await runProbes(facts, from, member, [...sets.providers], {
      timeoutMs: cmd.probeTimeoutMs,
      requestTimeoutMs: cmd.requestTimeoutMs,
    });
    facts = { ...facts, probes };
  }
  const report = diagnose(facts);
  return {
    out: cmd.output === 'json' ? renderJson(report) : renderTable(report),
    code: report.problems.length > 0 ? PROBLEMS : OK,
  };
}

/** Writes `text` to a stream and resolves once it is flushed (before process.exit). */
function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve) => (text ? stream.write(text, () => resolve()) : resolve()));
}

async function main(argv: string[]): Promise<number> {
  let cmd: PluginCommand;
  try {
    cmd = parsePluginArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    await write(process.stderr, `kubectl mcs: ${err.message}\nRun 'kubectl mcs --help' for usage.\n`);
    return USAGE;
  }
  if (cmd.command === 'help') {
    await write(process.stdout, cmd.usage);
    return OK;
  }
  try {
    const { out, code } = await run(cmd);
    await write(process.stdout, out);
    return code;
  } catch (err) {
    // One line, and nothing on stdout: a partial table would read as a diagnosis.
    const message = (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, ' ');
    await write(process.stderr, `kubectl mcs: ${message}\n`);
    return CANNOT_READ;
  }
}

// Pooled keep-alive connections (and an exec socket cut by its deadline) would keep the
// process alive after the answer: exit once the output is flushed.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`kubectl mcs: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(CANNOT_READ);
  },
);
