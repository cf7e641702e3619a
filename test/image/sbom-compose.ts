/**
 * The image's software bill of materials (CycloneDX 1.5 JSON), composed from what `make image`
 * reads: npm's own SBOM (`npm sbom --sbom-format cyclonedx`) cut to the production tree, the
 * Node.js the image runs (`node --version` in it), and the Debian packages of its dpkg status
 * file. Pure: test/image/sbom.ts does the reading and writing.
 */

/** A CycloneDX component, as far as we write or read one. */
export interface Component {
  'bom-ref': string;
  type: string;
  name: string;
  version: string;
  purl?: string;
  description?: string;
  properties?: { name: string; value: string }[];
  [more: string]: unknown;
}

/** A CycloneDX 1.5 BOM, as far as we write or read one. */
export interface Bom {
  bomFormat: 'CycloneDX';
  specVersion: string;
  serialNumber?: string;
  version: number;
  metadata: {
    timestamp: string;
    lifecycles?: { phase: string }[];
    tools?: unknown;
    component: Component;
    [more: string]: unknown;
  };
  components: Component[];
  dependencies: { ref: string; dependsOn: string[] }[];
}

/** One installed package of a dpkg status file. */
export interface DebPackage {
  name: string;
  version: string;
  architecture: string;
  /** The source package, where it differs from the name (`Source:` without its version). */
  source?: string;
}

/** The installed packages of a dpkg status file (`Status: install ok installed`), in file order. Pure. */
export function parseDpkgStatus(text: string): DebPackage[] {
  return text
    .split(/\n\s*\n/)
    .map((stanza) => {
      const fields = new Map<string, string>();
      for (const line of stanza.split('\n')) {
        const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
        if (m?.[1] && m[2] !== undefined) fields.set(m[1].toLowerCase(), m[2].trim());
      }
      return fields;
    })
    .filter((f) => f.get('status') === 'install ok installed' && f.has('package') && f.has('version'))
    .map((f) => {
      const source = f.get('source')?.split(/\s+/)[0];
      const name = f.get('package') ?? '';
      return {
        name,
        version: f.get('version') ?? '',
        architecture: f.get('architecture') ?? 'all',
        ...(source && source !== name ? { source } : {}),
      };
    });
}

/** A node of `npm ls --json`: a package's version and what it depends on. */
export interface NpmLsNode {
  version?: string;
  missing?: boolean;
  dependencies?: Record<string, NpmLsNode>;
}

/**
 * Every `name@version` of a production tree, from `npm ls --omit=dev --all --json`; optional
 * peers that are not installed (no version) are left out. Pure. `npm sbom --omit=dev` cannot
 * be used for this: npm 11.19 leaves out packages that dev dependencies share with production
 * ones (form-data, semver…), which the image does hold.
 */
export function productionPackages(ls: NpmLsNode): string[] {
  const found = new Set<string>();
  const walk = (node: NpmLsNode) => {
    for (const [name, dep] of Object.entries(node.dependencies ?? {})) {
      if (!dep.version || dep.missing) continue;
      found.add(`${name}@${dep.version}`);
      walk(dep);
    }
  };
  walk(ls);
  return [...found].sort();
}

/** `KEY=value` lines of /etc/os-release (quotes removed). Pure. */
export function parseOsRelease(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .map((l) => /^([A-Z_]+)=("?)(.*)\2$/.exec(l.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1] ?? '', m[3] ?? '']),
  );
}

/** The purl of a Debian package, as scanners match them (`distro=debian-12`). */
function debPurl(p: DebPackage, distro: string): string {
  const q = new URLSearchParams({ arch: p.architecture, distro });
  if (p.source) q.set('upstream', p.source);
  return `pkg:deb/debian/${encodeURIComponent(p.name)}@${encodeURIComponent(p.version)}?${q}`;
}

/** What the image's SBOM is made of. */
export interface ImageFacts {
  /** The image's reference, e.g. ghcr.io/mcs-bridge/mcs-bridge:0.1.0. */
  image: string;
  /** Its ID (sha256:…), which names this very build. */
  imageId: string;
  /** `npm sbom --sbom-format cyclonedx` of the project (every package, dev ones too), parsed. */
  npm: Bom;
  /** The production tree's `name@version`s (productionPackages): what of `npm` the image holds. */
  production: readonly string[];
  /** The project's package.json name (npm names the root after its folder). */
  projectName: string;
  /** `node --version` in the image, e.g. v24.22.3. */
  nodeVersion: string;
  /** The image's /var/lib/dpkg/status. */
  dpkgStatus: string;
  /** The image's /etc/os-release. */
  osRelease: string;
  now: Date;
}

/**
 * The image's SBOM: the image as the described component; the program (npm's root, renamed after
 * package.json), every npm package of its production tree, Node.js and every Debian package as
 * components; npm's dependency graph within those, plus the image's own edges. Pure.
 */
export function composeImageSbom(f: ImageFacts): Bom {
  const colon = f.image.lastIndexOf(':');
  const tagged = colon > f.image.lastIndexOf('/');
  const imageRef = `image:${f.imageId}`;
  const program: Component = { ...f.npm.metadata.component, name: f.projectName, type: 'application' };
  const nodeVersion = f.nodeVersion.replace(/^v/, '');
  const node: Component = {
    'bom-ref': `node@${nodeVersion}`,
    type: 'platform',
    name: 'node',
    version: nodeVersion,
    description: 'Node.js, the runtime of the programs (/usr/local/bin/node)',
    purl: `pkg:generic/node@${nodeVersion}`,
  };
  const os = parseOsRelease(f.osRelease);
  const distro = `${os.ID ?? 'debian'}-${os.VERSION_ID ?? 'unknown'}`;
  const debs: Component[] = parseDpkgStatus(f.dpkgStatus).map((p) => ({
    'bom-ref': `deb:${p.name}@${p.version}`,
    type: 'library',
    name: p.name,
    version: p.version,
    purl: debPurl(p, distro),
    properties: [{ name: 'mcs-bridge:package-manager', value: 'dpkg' }],
  }));
  // npm's bom-refs are `name@version`, the production tree's entries too.
  const production = new Set(f.production);
  const seen = new Set<string>();
  const npmComponents = f.npm.components.filter((c) => {
    const keep = production.has(c['bom-ref']) && !seen.has(c['bom-ref']);
    seen.add(c['bom-ref']);
    return keep;
  });
  const kept = new Set([program['bom-ref'], ...npmComponents.map((c) => c['bom-ref'])]);
  const npmDependencies = f.npm.dependencies
    .filter((d) => kept.has(d.ref))
    .map((d) => ({ ref: d.ref, dependsOn: d.dependsOn.filter((r) => kept.has(r)) }));
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    version: 1,
    metadata: {
      timestamp: f.now.toISOString(),
      lifecycles: [{ phase: 'post-build' }],
      tools: f.npm.metadata.tools,
      component: {
        'bom-ref': imageRef,
        type: 'container',
        name: tagged ? f.image.slice(0, colon) : f.image,
        version: tagged ? f.image.slice(colon + 1) : 'latest',
        properties: [
          { name: 'mcs-bridge:image-id', value: f.imageId },
          { name: 'mcs-bridge:os', value: os.PRETTY_NAME ?? distro },
        ],
      },
    },
    components: [program, ...npmComponents, node, ...debs],
    dependencies: [
      { ref: imageRef, dependsOn: [program['bom-ref'], node['bom-ref'], ...debs.map((d) => d['bom-ref'])] },
      ...npmDependencies,
    ],
  };
}

/** The file `make image` writes an image's SBOM to, beside dist/: `<repo>/dist/image/<ref>.cdx.json`. Pure. */
export function sbomFileOf(repoRoot: string, image: string): string {
  return `${repoRoot}/dist/image/${image.replace(/[^A-Za-z0-9._-]+/g, '_')}.cdx.json`;
}
