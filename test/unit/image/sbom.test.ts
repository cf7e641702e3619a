import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type Bom,
  composeImageSbom,
  parseDpkgStatus,
  parseOsRelease,
  productionPackages,
  sbomFileOf,
} from '../../image/sbom-compose.ts';

const STATUS = `Package: libc6
Status: install ok installed
Priority: optional
Architecture: amd64
Multi-Arch: same
Source: glibc
Version: 2.36-9+deb12u13
Description: GNU C Library: Shared libraries
 Contains the standard libraries that are used by nearly all programs on
 the system.

Package: removed-one
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0-1

Package: bash
Essential: yes
Status: install ok installed
Architecture: amd64
Source: bash (5.2.15-2)
Version: 5.2.15-2+b7

Package: tzdata
Status: install ok installed
Architecture: all
Version: 2025b-0+deb12u1
`;

const OS_RELEASE = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
ID=debian
`;

const NPM: Bom = {
  bomFormat: 'CycloneDX',
  specVersion: '1.5',
  version: 1,
  metadata: {
    timestamp: '2026-12-07T00:00:00.000Z',
    tools: [{ vendor: 'npm', name: 'cli', version: '11.19.1' }],
    component: { 'bom-ref': 'mcs-bridge@0.1.0', type: 'library', name: 'i26', version: '0.1.0' },
  },
  components: [
    { 'bom-ref': 'fastify@5.12.8', type: 'library', name: 'fastify', version: '5.12.8' },
    { 'bom-ref': 'pino@10.4.0', type: 'library', name: 'pino', version: '10.4.0' },
    { 'bom-ref': 'pino@10.4.0', type: 'library', name: 'pino', version: '10.4.0' },
    { 'bom-ref': 'typescript@7.0.2', type: 'library', name: 'typescript', version: '7.0.2' },
  ],
  dependencies: [
    { ref: 'mcs-bridge@0.1.0', dependsOn: ['fastify@5.12.8', 'pino@10.4.0', 'typescript@7.0.2'] },
    { ref: 'fastify@5.12.8', dependsOn: ['pino@10.4.0'] },
    { ref: 'typescript@7.0.2', dependsOn: [] },
  ],
};

/** `npm ls --omit=dev --all --json`, shortened: fastify's pino deduped, an optional peer not installed. */
const LS = {
  version: '0.1.0',
  dependencies: {
    fastify: { version: '5.12.8', dependencies: { pino: { version: '10.4.0' } } },
    pino: { version: '10.4.0', dependencies: { 'utf-8-validate': {} } },
    bufferutil: { missing: true },
  },
};

const bom = composeImageSbom({
  image: 'ghcr.io/mcs-bridge/mcs-bridge:0.1.0',
  imageId: 'sha256:abc',
  npm: NPM,
  production: productionPackages(LS),
  projectName: 'mcs-bridge',
  nodeVersion: 'v24.22.3',
  dpkgStatus: STATUS,
  osRelease: OS_RELEASE,
  now: new Date('2026-12-07T12:00:00Z'),
});
const named = (name: string) => bom.components.filter((c) => c.name === name);

describe("the image's SBOM", () => {
  it('reads the installed packages of a dpkg status file, with their source package', () => {
    assert.deepEqual(parseDpkgStatus(STATUS), [
      { name: 'libc6', version: '2.36-9+deb12u13', architecture: 'amd64', source: 'glibc' },
      { name: 'bash', version: '5.2.15-2+b7', architecture: 'amd64' },
      { name: 'tzdata', version: '2025b-0+deb12u1', architecture: 'all' },
    ]);
  });

  it('reads os-release with and without quotes', () => {
    assert.deepEqual(parseOsRelease(OS_RELEASE), {
      PRETTY_NAME: 'Debian GNU/Linux 12 (bookworm)',
      NAME: 'Debian GNU/Linux',
      VERSION_ID: '12',
      ID: 'debian',
    });
  });

  it('describes the image by its name, tag and ID', () => {
    assert.equal(bom.metadata.component.type, 'container');
    assert.equal(bom.metadata.component.name, 'ghcr.io/mcs-bridge/mcs-bridge');
    assert.equal(bom.metadata.component.version, '0.1.0');
    assert.deepEqual(bom.metadata.component.properties?.[0], {
      name: 'mcs-bridge:image-id',
      value: 'sha256:abc',
    });
    assert.deepEqual(bom.metadata.lifecycles, [{ phase: 'post-build' }]);
  });

  it('names Node.js at the version the image answers, without its v', () => {
    assert.deepEqual(
      named('node').map((c) => [c.type, c.version, c.purl]),
      [['platform', '24.22.3', 'pkg:generic/node@24.22.3']],
    );
  });

  it('names the program after package.json, not the folder npm ran in', () => {
    assert.equal(named('i26').length, 0);
    assert.deepEqual(
      named('mcs-bridge').map((c) => [c.type, c.version]),
      [['application', '0.1.0']],
    );
  });

  it('reads the production tree of npm ls, without the optional peers that are not installed', () => {
    assert.deepEqual(productionPackages(LS), ['fastify@5.12.8', 'pino@10.4.0']);
  });

  it('keeps each npm package of the production tree once, and no dev dependency', () => {
    assert.equal(named('pino').length, 1);
    assert.equal(named('fastify').length, 1);
    assert.equal(named('typescript').length, 0);
  });

  it('gives each installed Debian package a purl scanners match', () => {
    assert.deepEqual(
      bom.components.filter((c) => c.purl?.startsWith('pkg:deb/')).map((c) => c.purl),
      [
        'pkg:deb/debian/libc6@2.36-9%2Bdeb12u13?arch=amd64&distro=debian-12&upstream=glibc',
        'pkg:deb/debian/bash@5.2.15-2%2Bb7?arch=amd64&distro=debian-12',
        'pkg:deb/debian/tzdata@2025b-0%2Bdeb12u1?arch=all&distro=debian-12',
      ],
    );
  });

  it("links the image to the program, Node.js and the Debian packages, and keeps npm's graph of what it holds", () => {
    assert.deepEqual(bom.dependencies[0], {
      ref: 'image:sha256:abc',
      dependsOn: [
        'mcs-bridge@0.1.0',
        'node@24.22.3',
        'deb:libc6@2.36-9+deb12u13',
        'deb:bash@5.2.15-2+b7',
        'deb:tzdata@2025b-0+deb12u1',
      ],
    });
    assert.deepEqual(bom.dependencies.slice(1), [
      { ref: 'mcs-bridge@0.1.0', dependsOn: ['fastify@5.12.8', 'pino@10.4.0'] },
      { ref: 'fastify@5.12.8', dependsOn: ['pino@10.4.0'] },
    ]);
    const refs = new Set(bom.components.map((c) => c['bom-ref']));
    for (const ref of bom.dependencies[0]?.dependsOn ?? []) assert.ok(refs.has(ref), `${ref} is a component`);
  });

  it('writes beside the build output, in a file named after the image', () => {
    assert.equal(
      sbomFileOf('/repo', 'ghcr.io/mcs-bridge/mcs-bridge:0.1.0'),
      '/repo/dist/image/ghcr.io_mcs-bridge_mcs-bridge_0.1.0.cdx.json',
    );
  });
});
