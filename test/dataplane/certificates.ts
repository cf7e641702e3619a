/**
 * Certificates the data plane's components hold, signed by the sandbox CA with the openssl CLI:
 * member2's kubelet serving certificate and CoreDNS's client certificate. Each gets a serial
 * file of its own beside it, so the sandbox's pki folder is left as it is.
 */
import { writeFile } from 'node:fs/promises';
import { pkiFiles } from '../sandbox/commands.ts';
import type { SandboxLayout } from '../sandbox/layout.ts';
import { runCommand } from '../sandbox/testing.ts';

/** Where a certificate and its key go. */
export interface CertificateFiles {
  cert: string;
  key: string;
}

/**
 * Issues a key and a certificate for `subject` (`/O=group/CN=name`) with these x509v3
 * `extensions` (one per line), valid 30 days. `what` names it in errors.
 */
export async function issueCertificate(
  layout: SandboxLayout,
  files: CertificateFiles,
  o: { what: string; subject: string; extensions: string },
): Promise<void> {
  const pki = pkiFiles(layout);
  const csr = `${files.cert}.csr`;
  const ext = `${files.cert}.ext`;
  await writeFile(ext, o.extensions);
  const steps = [
    ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', files.key, '-out', csr, '-subj', o.subject],
    [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      pki.caCert,
      '-CAkey',
      pki.caKey,
      '-CAserial',
      `${files.cert}.srl`,
    ].concat(['-CAcreateserial', '-days', '30', '-out', files.cert, '-extfile', ext]),
  ];
  for (const args of steps) {
    const r = await runCommand('openssl', args);
    if (r.code !== 0) throw new Error(`openssl ${args[0]} for ${o.what} failed: ${r.stderr.trim()}`);
  }
}
