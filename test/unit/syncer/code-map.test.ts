/**
 * The rules of the code map (docs/architecture.md § The code), checked by reading the sources:
 * which folder may import from which, and the MultiClusterService API declared in one place.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** Every file under `dir` ending in `ext` (relative to the repository), recursively. */
function sources(dir: string, ext = '.ts'): string[] {
  return readdirSync(path.join(REPO, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(ext))
    .map((e) => path.relative(REPO, path.join(e.parentPath, e.name)));
}

/** The repository-relative files a source imports (relative specifiers only; packages are skipped). */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(REPO, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map((m) => m[1] ?? '');
  return specifiers.map((s) => path.relative(REPO, path.resolve(path.dirname(path.join(REPO, file)), s)));
}

const RULES: Array<[string, string, string[]]> = [
  [
    'syncer/kube/ (API access) imports nothing from the engine, the planner or the sources',
    'syncer/kube',
    ['syncer/engine/', 'syncer/plan/', 'syncer/sources/'],
  ],
  ['syncer/sources/ imports nothing from the engine', 'syncer/sources', ['syncer/engine/']],
  [
    'syncer/plan/ (pure decisions) imports no I/O: neither the engine, nor kube/, nor the sources',
    'syncer/plan',
    ['syncer/engine/', 'syncer/kube/', 'syncer/sources/'],
  ],
  [
    'syncer/karmada/ (pure coexistence decisions) imports no I/O: neither the engine, nor kube/, nor the sources',
    'syncer/karmada',
    ['syncer/engine/', 'syncer/kube/', 'syncer/sources/'],
  ],
  ['the syncer imports nothing of kubectl-mcs', 'syncer', ['kubectl-mcs/']],
  ['kubectl-mcs imports nothing of the engine', 'kubectl-mcs', ['syncer/engine/']],
  ['lib/ imports no program', 'lib', ['syncer/', 'webhook/', 'certs/', 'kubectl-mcs/']],
  ['the webhook imports nothing of the syncer or kubectl-mcs', 'webhook', ['syncer/', 'kubectl-mcs/']],
];

describe('the map of the code', () => {
  for (const [name, dir, forbidden] of RULES) {
    it(name, () => {
      const files = sources(dir);
      assert.ok(files.length > 0, `no sources under ${dir}`);
      const broken = files.flatMap((f) =>
        importsOf(f)
          .filter((target) => forbidden.some((prefix) => target.startsWith(prefix)))
          .map((target) => `${f} imports ${target}`),
      );
      assert.deepEqual(broken, []);
    });
  }

  it('declares the MultiClusterService API once, in lib/mcs-api.ts, for the webhook and the syncer', () => {
    const declaring = ['lib', 'syncer', 'kubectl-mcs', 'webhook', 'certs']
      .flatMap((d) => sources(d))
      .filter((f) =>
        /export (interface|type) MultiClusterService\b/.test(readFileSync(path.join(REPO, f), 'utf8')),
      );
    assert.deepEqual(declaring, ['lib/mcs-api.ts']);
  });

  it('points its comments and documents at documents inside the repository', () => {
    const dirs = ['lib', 'syncer', 'kubectl-mcs', 'webhook', 'certs', 'charts', 'test', 'docs'];
    const outside = [
      ...dirs.flatMap((d) => sources(d)),
      ...dirs.flatMap((d) => sources(d, '.md')),
      'README.md',
    ]
      .filter((f) => f !== 'test/unit/syncer/code-map.test.ts')
      .filter((f) => /DESIGN\.md|shared\/(docs|seeds|DESIGN)/.test(readFileSync(path.join(REPO, f), 'utf8')));
    assert.deepEqual(outside, []);
  });
});
