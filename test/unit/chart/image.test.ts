/**
 * The Dockerfile, read as text (there is no Docker engine to build it with here): what it
 * copies exists and passes .dockerignore, it installs production dependencies only, runs as a
 * numeric non-root user, and puts on PATH the commands the chart runs.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../../sandbox/sandbox.ts';
import { render } from './helm.ts';

const dockerfile = readFileSync(path.join(REPO_ROOT, 'Dockerfile'), 'utf8');
const dockerignore = readFileSync(path.join(REPO_ROOT, '.dockerignore'), 'utf8');
const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
};

/** The Dockerfile's instructions, continuation lines joined. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith('#'));
const stages = instructions
  .join('\n')
  .split(/^FROM /m)
  .slice(1);
const finalStage = stages.at(-1) ?? '';

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/\/$/, '')
    .split('**/')
    .map((part) =>
      part
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '[^/]*')
        .replace(/\?/g, '[^/]'),
    )
    .join('(?:.*/)?');
  return new RegExp(`^${body}$`);
}

/** Whether .dockerignore lets `file` into the build context (the last matching rule wins). */
function inContext(file: string): boolean {
  const parts = file.split('/');
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let included = true;
  for (const raw of dockerignore.split('\n').map((l) => l.trim())) {
    if (!raw || raw.startsWith('#')) continue;
    const negated = raw.startsWith('!');
    const re = globToRegExp(negated ? raw.slice(1) : raw);
    if (candidates.some((c) => re.test(c))) included = negated;
  }
  return included;
}

describe('the Dockerfile', () => {
  it('copies only files that exist and that .dockerignore lets through', () => {
    const copies = instructions.filter((l) => l.startsWith('COPY ') && !l.includes('--from='));
    assert.ok(copies.length > 0);
    for (const copy of copies) {
      const sources = copy.split(/\s+/).slice(1, -1);
      for (const source of sources) {
        assert.ok(existsSync(path.join(REPO_ROOT, source)), `${source} (${copy}) exists`);
        assert.ok(inContext(source.replace(/\/$/, '')), `${source} is in the build context`);
      }
    }
    for (const file of ['webhook/main.ts', 'syncer/config.ts', 'certs/ensure.ts', 'lib/cli.ts']) {
      assert.ok(inContext(file), `${file} is in the build context`);
    }
    for (const file of [
      'node_modules/x',
      'dist/webhook/main.js',
      '.sandbox/kubeconfig',
      'test/e2e/chart.test.ts',
    ]) {
      assert.ok(!inContext(file), `${file} stays out of the build context`);
    }
  });

  it('builds in stages and ships production dependencies only', () => {
    assert.ok(stages.length >= 2, 'multi-stage');
    assert.match(instructions.join('\n'), /npm ci --omit=dev/);
    assert.doesNotMatch(finalStage, /npm (ci|install)/, 'the final stage installs nothing');
    assert.match(finalStage, /COPY --from=deps \/app\/node_modules\/ node_modules\//);
    assert.match(finalStage, /COPY package\.json/, 'package.json ("type": "module") is in the image');
  });

  it('runs as a numeric non-root user', () => {
    const user = finalStage.match(/^USER (\S+)$/m)?.[1] ?? '';
    assert.match(user, /^[1-9]\d*(:\d+)?$/, `USER ${user}`);
  });

  it('puts every program of package.json on PATH', () => {
    for (const [command, file] of Object.entries(pkg.bin)) {
      assert.match(finalStage, new RegExp(`ln -s /app/${file} /usr/local/bin/${command}\\b`), command);
      assert.match(finalStage, new RegExp(`chmod 0755 [^\\n]*${file}`), `${file} is executable`);
    }
  });

  it('has the commands the chart runs', async () => {
    const d = (await render()).deployment();
    for (const c of d.spec?.template.spec?.containers ?? []) {
      const command = c.command?.[0] ?? '';
      assert.ok(command in pkg.bin, `${c.name} runs ${command}, a program of the image`);
    }
    const [user] = (finalStage.match(/^USER (\d+)/m) ?? []).slice(1);
    assert.equal(
      d.spec?.template.spec?.securityContext?.runAsUser,
      Number(user),
      'the chart runs as the image user',
    );
  });
});
