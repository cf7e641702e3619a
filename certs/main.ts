#!/usr/bin/env node
/**
 * mcs-bridge-certs: generates the webhook's CA and serving certificate, either as PEM files
 * or in a Secret whose CA it also sets as the caBundle of the webhook configurations.
 * Prints the caBundle (base64) on stdout and what it did on stderr.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { runMain, UsageError } from '../lib/cli.ts';
import { kubeconfigErrorMessage } from '../lib/log-redaction.ts';
import { type CertsCommand, parseCertsCommand } from './command.ts';
import { ensureServingCertificate } from './ensure.ts';
import { writeCertificateFiles } from './files.ts';
import { type CertificateBundle, generateCertificates } from './generate.ts';
import { certificateValidity } from './renewal.ts';

function printCABundle(bundle: CertificateBundle): void {
  process.stdout.write(`${Buffer.from(bundle.caCert).toString('base64')}\n`);
}

function validUntil(bundle: CertificateBundle): string {
  return certificateValidity(bundle.cert).notAfter.toISOString();
}

async function writeFiles(cmd: Extract<CertsCommand, { mode: 'files' }>, now: Date): Promise<void> {
  const bundle = await generateCertificates({ ...cmd.request, now });
  const files = await writeCertificateFiles(cmd.outDir, bundle);
  process.stderr.write(`wrote ${files.join(', ')} (valid until ${validUntil(bundle)})\n`);
  printCABundle(bundle);
}

/** Loads the kubeconfig and selects the context; bad input is a usage error naming the flag. */
async function loadKubeConfig(file: string, context: string | undefined): Promise<KubeConfig> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(file);
  } catch (err) {
    throw new UsageError(`--kubeconfig: cannot load ${file}: ${kubeconfigErrorMessage(err)}`);
  }
  if (context !== undefined) {
    if (!kc.getContextObject(context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new UsageError(
        `--context: no context "${context}" in ${file} (it has: ${known.join(', ') || 'none'})`,
      );
    }
    kc.setCurrentContext(context);
  } else if (!kc.getCurrentCluster()) {
    throw new UsageError(`--context: ${file} has no usable current context; name one with --context`);
  }
  return kc;
}

async function storeInSecret(cmd: Extract<CertsCommand, { mode: 'kubernetes' }>, now: Date): Promise<void> {
  // Loaded here, not at the top: client-node takes seconds to import and --out-dir needs none of it.
  const { AdmissionregistrationV1Api, CoreV1Api } = await import('@kubernetes/client-node');
  const { KubernetesCABundlePatcher, KubernetesSecretStore } = await import('./kubernetes.ts');
  const kc = await loadKubeConfig(cmd.kubeconfig, cmd.context);
  const result = await ensureServingCertificate(
    {
      secrets: new KubernetesSecretStore(kc.makeApiClient(CoreV1Api)),
      webhooks: new KubernetesCABundlePatcher(kc.makeApiClient(AdmissionregistrationV1Api)),
    },
    {
      ...cmd.request,
      secret: cmd.secret,
      webhookConfigurations: cmd.webhookConfigurations,
      now,
      force: cmd.renew,
    },
  );
  const secret = `Secret ${cmd.secret.namespace}/${cmd.secret.name}`;
  const why = result.reason ? `: ${result.reason}` : '';
  process.stderr.write(`${secret} ${result.action}${why} (valid until ${validUntil(result.bundle)})\n`);
  for (const ref of cmd.webhookConfigurations) {
    const changed = result.patched.some((p) => p.kind === ref.kind && p.name === ref.name);
    process.stderr.write(`${ref.kind} ${ref.name}: caBundle ${changed ? 'updated' : 'already current'}\n`);
  }
  printCABundle(result.bundle);
}

runMain('mcs-bridge-certs', async () => {
  const cmd = parseCertsCommand(process.argv.slice(2));
  if (!cmd) return 0;
  const now = new Date();
  if (cmd.mode === 'files') await writeFiles(cmd, now);
  else await storeInSecret(cmd, now);
  return 0;
});
