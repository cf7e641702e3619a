/**
 * Key material of a sandbox: a CA, the apiservers' serving certificate, the service
 * account signing key and a static admin token. Made with the openssl CLI, which every
 * Debian machine has; kept across restarts so kubeconfigs stay valid.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { pkiFiles } from './commands.ts';
import type { SandboxLayout } from './layout.ts';

const run = promisify(execFile);

/** The sandbox admin identity: a static token in group system:masters. */
export interface AdminCredentials {
  token: string;
  caPem: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT')
      throw new Error('the sandbox needs the openssl CLI to make its certificates (apt-get install openssl)');
    throw new Error(`openssl ${args[0]} failed in ${cwd}: ${e.stderr?.trim() || e.message}`);
  }
}

/** Creates whatever key material is missing and returns the admin credentials. */
export async function ensurePki(layout: SandboxLayout): Promise<AdminCredentials> {
  const f = pkiFiles(layout);
  const dir = layout.pkiDir;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (!existsSync(f.caCert) || !existsSync(f.caKey)) {
    await openssl(
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f.caKey, '-out', f.caCert].concat([
        '-days',
        '3650',
        '-subj',
        '/CN=mcs-bridge-sandbox-ca',
      ]),
      dir,
    );
  }
  if (!existsSync(f.servingCert) || !existsSync(f.servingKey)) {
    const csr = path.join(dir, 'apiserver.csr');
    const ext = path.join(dir, 'apiserver.ext');
    await writeFile(ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
    await openssl(
      [
        'req',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        f.servingKey,
        '-out',
        csr,
        '-subj',
        '/CN=kube-apiserver',
      ],
      dir,
    );
    await openssl(
      ['x509', '-req', '-in', csr, '-CA', f.caCert, '-CAkey', f.caKey, '-CAcreateserial'].concat([
        '-days',
        '3650',
        '-out',
        f.servingCert,
        '-extfile',
        ext,
      ]),
      dir,
    );
  }
  if (!existsSync(f.serviceAccountKey) || !existsSync(f.serviceAccountPub)) {
    await openssl(['genrsa', '-out', f.serviceAccountKey, '2048'], dir);
    await openssl(['rsa', '-in', f.serviceAccountKey, '-pubout', '-out', f.serviceAccountPub], dir);
  }
  if (!existsSync(f.tokens)) {
    const token = randomBytes(24).toString('hex');
    await writeFile(f.tokens, `${token},sandbox-admin,sandbox-admin,system:masters\n`, { mode: 0o600 });
  }
  const tokenLine = (await readFile(f.tokens, 'utf8')).split('\n')[0] ?? '';
  const token = tokenLine.split(',')[0];
  if (!token) throw new Error(`${f.tokens} holds no token: delete it and start the sandbox again`);
  return { token, caPem: await readFile(f.caCert, 'utf8') };
}
