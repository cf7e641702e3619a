/**
 * Writes a certificate bundle as PEM files, each replaced atomically so that a server
 * reloading them never reads half a file.
 */
import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CertificateBundle } from './generate.ts';

/** The file each part of a bundle goes to, and its mode: private keys are readable by the owner only. */
export const CERTIFICATE_FILES: readonly { part: keyof CertificateBundle; file: string; mode: number }[] = [
  { part: 'caCert', file: 'ca.crt', mode: 0o644 },
  { part: 'caKey', file: 'ca.key', mode: 0o600 },
  { part: 'cert', file: 'tls.crt', mode: 0o644 },
  { part: 'key', file: 'tls.key', mode: 0o600 },
];

/**
 * Writes `ca.crt`, `ca.key`, `tls.crt` and `tls.key` into `dir` (created if needed),
 * replacing existing files. Returns the paths written.
 */
export async function writeCertificateFiles(dir: string, bundle: CertificateBundle): Promise<string[]> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw new Error(`failed to create directory ${dir}: ${(err as Error).message}`);
  }
  const written: string[] = [];
  for (const { part, file, mode } of CERTIFICATE_FILES) {
    const target = path.join(dir, file);
    const temp = path.join(dir, `.${file}.${process.pid}.tmp`);
    try {
      // The temporary file is created afresh ('wx') with the final mode, so a key is never
      // readable by others; chmod restores bits a umask took away from a certificate.
      await rm(temp, { force: true });
      await writeFile(temp, bundle[part], { mode, flag: 'wx' });
      await chmod(temp, mode);
      await rename(temp, target);
    } catch (err) {
      await rm(temp, { force: true });
      throw new Error(`failed to write ${target}: ${(err as Error).message}`);
    }
    written.push(target);
  }
  return written;
}
