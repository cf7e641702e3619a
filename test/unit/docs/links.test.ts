/**
 * Every relative link of the README, docs/ and the chart's README resolves: the file or folder
 * exists, and an anchor names a heading of its page (as GitHub makes anchors from headings).
 * The pages moved from one README into docs/ once; this keeps a move or a renamed heading from
 * leaving a link behind.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The pages whose links are checked, relative to the repository. */
const PAGES = [
  'README.md',
  'charts/mcs-bridge/README.md',
  ...readdirSync(path.join(REPO, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** Markdown without its fenced code blocks and inline code, where brackets are not links. */
function prose(markdown: string): string {
  return markdown.replace(/^\s*```[\s\S]*?^\s*```/gm, '').replace(/`[^`\n]*`/g, '');
}

/** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Every anchor of a page, with GitHub's -1, -2 … for repeated headings. */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  const withoutFences = markdown.replace(/^\s*```[\s\S]*?^\s*```/gm, '');
  for (const m of withoutFences.matchAll(/^#{1,6}\s+(.+?)\s*#*$/gm)) {
    const base = anchorOf(m[1] ?? '');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** The relative link targets of a page (URLs with a scheme, and mail, are left out). */
function linksOf(markdown: string): string[] {
  return [...prose(markdown).matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)]
    .map((m) => m[1] ?? '')
    .filter((url) => !/^[a-z][a-z0-9+.-]*:/i.test(url));
}

/** What is wrong with one link of `page`, or undefined when it resolves. */
function brokenLink(page: string, url: string): string | undefined {
  const [target = '', anchor] = url.split('#', 2);
  const file = target === '' ? page : path.join(path.dirname(page), decodeURIComponent(target));
  if (path.relative(REPO, path.join(REPO, file)).startsWith('..')) return `${url}: outside the repository`;
  if (!existsSync(path.join(REPO, file))) return `${url}: no ${file}`;
  if (anchor === undefined || !file.endsWith('.md')) return undefined;
  const anchors = anchorsOf(readFileSync(path.join(REPO, file), 'utf8'));
  return anchors.has(anchor) ? undefined : `${url}: no heading of ${file} has the anchor #${anchor}`;
}

describe('the links of the README and docs/', () => {
  it('makes anchors from headings as GitHub does', () => {
    assert.equal(anchorOf('Why does curl fail? `kubectl mcs`'), 'why-does-curl-fail-kubectl-mcs');
    assert.equal(
      anchorOf('Node.js 24 LTS, in the image and in every test'),
      'nodejs-24-lts-in-the-image-and-in-every-test',
    );
    assert.equal(anchorOf("Karmada's webhook and ours"), 'karmadas-webhook-and-ours');
    assert.equal(
      anchorOf('Node.js 20 → 24: what the syncer bench saw'),
      'nodejs-20--24-what-the-syncer-bench-saw',
    );
  });

  it('finds a link that points nowhere, and one whose anchor names no heading', () => {
    assert.match(brokenLink('README.md', 'docs/no-such-page.md') ?? '', /no docs\/no-such-page\.md/);
    assert.match(
      brokenLink('README.md', 'docs/install.md#no-such-heading') ?? '',
      /no heading of docs\/install\.md/,
    );
    assert.equal(brokenLink('docs/install.md', '../README.md#supported-versions'), undefined);
  });

  for (const page of PAGES) {
    it(`resolves every relative link and anchor of ${page}`, () => {
      const broken = linksOf(readFileSync(path.join(REPO, page), 'utf8'))
        .map((url) => brokenLink(page, url))
        .filter((b): b is string => b !== undefined);
      assert.deepEqual(broken, []);
    });
  }
});
