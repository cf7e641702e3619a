/**
 * The rules of the code map (docs/architecture.md § The code), checked by reading the sources:
 * the map's folder table against the tree (a row for every folder, a folder for every row, and
 * each folder's imports within what its row allows), the arrows that must never turn, and the
 * MultiClusterService API declared in one place.
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

/** The top folders of the programs, whose folders the map's table lists. */
const PROGRAM_ROOTS = ['lib', 'syncer', 'webhook', 'kubectl-mcs', 'certs'];

/** Every folder of the programs that holds TypeScript, as `dir/` (the roots included). */
function programFolders(): string[] {
  return PROGRAM_ROOTS.flatMap((root) => [
    root,
    ...readdirSync(path.join(REPO, root), { withFileTypes: true, recursive: true })
      .filter((e) => e.isDirectory())
      .map((e) => path.relative(REPO, path.join(e.parentPath, e.name))),
  ])
    .filter((dir) => readdirSync(path.join(REPO, dir)).some((f) => f.endsWith('.ts')))
    .map((dir) => `${dir}/`)
    .sort();
}

/** One row of the table in docs/architecture.md § The code. */
interface MapRow {
  folder: string;
  /** The paths its "may import" cell lists; undefined when it says "everything". */
  mayImport: string[] | undefined;
}

/** The rows of the folder table: first cell a folder, third cell what it may import. */
function mapRows(markdown: string): MapRow[] {
  const section = markdown.slice(markdown.indexOf('\n## The code\n'));
  const table = section.slice(0, section.indexOf('\n\n', section.indexOf('| folder |')));
  return table
    .split('\n')
    .map((line) => /^\| `([^`]+)` \|.*\| ([^|]*) \|$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map(([, folder = '', cell = '']) => ({
      folder,
      mayImport: /\beverything\b/.test(cell)
        ? undefined
        : [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? ''),
    }));
}

/** The imports of a folder's own files (not its subfolders') that its row does not allow. */
function disallowedImports(row: MapRow): string[] {
  if (row.mayImport === undefined) return [];
  const allowed = row.mayImport;
  const own = readdirSync(path.join(REPO, row.folder)).filter((f) => f.endsWith('.ts'));
  return own.flatMap((name) => {
    const file = path.join(row.folder, name);
    return importsOf(file)
      .filter((target) => path.dirname(target) !== row.folder.replace(/\/$/, ''))
      .filter((target) => !allowed.some((a) => (a.endsWith('/') ? target.startsWith(a) : target === a)))
      .map((target) => `${file} imports ${target}`);
  });
}

describe('the map of the code', () => {
  const rows = mapRows(readFileSync(path.join(REPO, 'docs/architecture.md'), 'utf8'));

  it('has a row in the folder table for every folder of the programs, and a folder for every row', () => {
    assert.deepEqual(rows.map((r) => r.folder).sort(), programFolders());
  });

  it("finds an import that a folder's row does not allow", () => {
    const row = { folder: 'syncer/plan/', mayImport: ['lib/'] };
    assert.ok(disallowedImports(row).some((b) => b.includes('imports syncer/api/')));
    assert.equal(
      mapRows(
        '## The code\n\n| folder | job | may import |\n| --- | --- | --- |\n| `x/` | y | everything |\n',
      )[0]?.mayImport,
      undefined,
    );
  });

  for (const folder of programFolders()) {
    it(`imports from ${folder} only what its row of the table allows`, () => {
      const row = rows.find((r) => r.folder === folder);
      assert.ok(row, `no row for ${folder}`);
      assert.deepEqual(disallowedImports(row), []);
    });
  }
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
