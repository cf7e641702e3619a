/**
 * Writes the SBOM of an image `make image` built (CycloneDX JSON, see sbom-compose.ts) to
 * dist/image/<image>.cdx.json and prints that path. What it says of the image is read from the
 * image itself (its ID, its `node --version`, its dpkg status and os-release, by podman); the npm
 * part is `npm sbom` of the lockfile the image's `npm ci --omit=dev` installed from, cut to the
 * tree `npm ls --omit=dev` gives.
 *
 *   node --import tsx test/image/sbom.ts IMAGE
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  type Bom,
  composeImageSbom,
  type NpmLsNode,
  productionPackages,
  sbomFileOf,
} from './sbom-compose.ts';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const PODMAN = path.join(here, 'podman.sh');
const BOUND = { timeout: 120_000, maxBuffer: 64 << 20 };

/** stdout of a command; the error names the command and carries its stderr. */
async function out(file: string, args: string[], cwd = repo): Promise<string> {
  try {
    return (await run(file, args, { ...BOUND, cwd })).stdout;
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(
      `${path.basename(file)} ${args.join(' ')} failed: ${(e.stderr ?? '').trim() || e.message}`,
    );
  }
}

/** stdout of `command` run in a throw-away container of `image`, with no network. */
const inImage = (image: string, entrypoint: string, ...args: string[]) =>
  out(PODMAN, ['run', '--rm', '--network=none', `--entrypoint=${entrypoint}`, image, ...args]);

async function main(image: string): Promise<string> {
  const imageId = (await out(PODMAN, ['image', 'inspect', '--format', '{{.Id}}', image])).trim();
  const [nodeVersion, dpkgStatus, osRelease, npmText, lsText, pkgText] = await Promise.all([
    inImage(image, 'node', '--version'),
    inImage(image, 'cat', '/var/lib/dpkg/status'),
    inImage(image, 'cat', '/etc/os-release'),
    out('npm', ['sbom', '--sbom-format', 'cyclonedx', '--package-lock-only']),
    out('npm', ['ls', '--omit=dev', '--all', '--json', '--package-lock-only']),
    readFile(path.join(repo, 'package.json'), 'utf8'),
  ]);
  const bom = composeImageSbom({
    image,
    imageId: `sha256:${imageId.replace(/^sha256:/, '')}`,
    npm: JSON.parse(npmText) as Bom,
    production: productionPackages(JSON.parse(lsText) as NpmLsNode),
    projectName: (JSON.parse(pkgText) as { name: string }).name,
    nodeVersion: nodeVersion.trim(),
    dpkgStatus,
    osRelease,
    now: new Date(),
  });
  const file = sbomFileOf(repo, image);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(bom, null, 2)}\n`);
  return file;
}

const image = process.argv[2];
if (!image) {
  process.stderr.write('usage: sbom.ts IMAGE\n');
  process.exit(2);
}
main(image).then(
  (file) => process.stdout.write(`${path.relative(process.cwd(), file)}\n`),
  (err: Error) => {
    process.stderr.write(`make image: the SBOM of ${image} could not be written: ${err.message}\n`);
    process.exit(1);
  },
);
