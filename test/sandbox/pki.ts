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
import {
  AGGREGATED_SERVICE,
  FRONT_PROXY_CLIENT,
  KARMADA_SYSTEM,
  karmadaPkiFiles,
} from './karmada-commands.ts';
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

/** Issues a key and a certificate signed by the sandbox CA, unless both files exist. */
async function issue(
  layout: SandboxLayout,
  out: { cert: string; key: string },
  subject: string,
  extensions: string,
): Promise<void> {
  if (existsSync(out.cert) && existsSync(out.key)) return;
  const f = pkiFiles(layout);
  const dir = path.dirname(out.cert);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const base = path.join(dir, path.basename(out.cert, '.crt'));
  await writeFile(`${base}.ext`, extensions);
  await openssl(
    ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', out.key, '-out', `${base}.csr`, '-subj', subject],
    dir,
  );
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      `${base}.csr`,
      '-CA',
      f.caCert,
      '-CAkey',
      f.caKey,
      '-CAcreateserial',
      '-days',
      '3650',
    ].concat(['-out', out.cert, '-extfile', `${base}.ext`]),
    dir,
  );
}

/**
 * The key material a Karmada sandbox adds: the hub aggregator's front-proxy client
 * certificate, and one serving certificate for karmada-webhook (reached at 127.0.0.1) and the
 * aggregated apiserver (which the aggregator verifies as `<service>.<namespace>.svc`).
 */
export async function ensureKarmadaPki(layout: SandboxLayout): Promise<void> {
  const k = karmadaPkiFiles(layout);
  await issue(
    layout,
    { cert: k.proxyClientCert, key: k.proxyClientKey },
    `/CN=${FRONT_PROXY_CLIENT}`,
    'extendedKeyUsage=clientAuth\n',
  );
  await issue(
    layout,
    { cert: k.servingCert, key: k.servingKey },
    '/CN=karmada',
    `subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:${AGGREGATED_SERVICE}.${KARMADA_SYSTEM}.svc,DNS:karmada-webhook.${KARMADA_SYSTEM}.svc\nextendedKeyUsage=serverAuth\n`,
  );
}

/**
 * The client certificate of a member's karmada-agent on the hub: the identity `karmadactl
 * register`'s CSR yields (`O=system:karmada:agents`, `CN=system:karmada:agent:<member>`), here
 * signed by the sandbox CA, which the hub trusts for client certificates.
 */
export async function ensureAgentPki(
  layout: SandboxLayout,
  out: { cert: string; key: string },
  user: string,
  group: string,
): Promise<void> {
  await issue(layout, out, `/O=${group}/CN=${user}`, 'extendedKeyUsage=clientAuth\n');
}
