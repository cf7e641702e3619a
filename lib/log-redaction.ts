/**
 * Keeping secrets out of log lines, in two layers. pino's `redact` blanks fields whose names
 * say they hold a secret (a token, a key, an Authorization header, a Secret's data), wherever
 * a log call puts them. And every line is scrubbed as it is written: PEM private keys, JSON Web
 * Tokens, `Bearer` credentials, and the exact credentials of the kubeconfigs the process loaded,
 * however they got into the line (an error message that quotes a server's answer, say).
 */
import type { LoggerOptions } from 'pino';

/** What a secret is replaced with. */
export const REDACTED = '[REDACTED]';

/** Fields blanked wherever they appear at the top of a log object or one level down. */
export const REDACT_PATHS = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.cookie',
  'token',
  '*.token',
  'bearerToken',
  '*.bearerToken',
  'password',
  '*.password',
  'key',
  '*.key',
  'caKey',
  '*.caKey',
  'keyData',
  '*.keyData',
  'data',
  '*.data',
  'stringData',
  '*.stringData',
];

const PATTERNS: RegExp[] = [
  // PEM private keys (RSA, EC, PKCS#8, encrypted), with real or JSON-escaped line breaks.
  /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/g,
  // JSON Web Tokens: ServiceAccount tokens, OIDC tokens.
  /\beyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{8,}/g,
];
const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi;
/** Shorter strings are too likely to occur by chance to be replaced wherever they appear. */
const MIN_SECRET_LENGTH = 8;

/** The credential fields of a kubeconfig user (client-node's `User`). */
export interface KubeconfigUser {
  token?: string;
  password?: string;
  keyData?: string;
  authProvider?: { config?: Record<string, unknown> };
}

/** Knows the secrets of this process and takes them out of text. */
export class SecretScrubber {
  private readonly known = new Set<string>();

  /** Adds a secret to replace wherever it appears (ignored when too short to be one). */
  add(secret: string | undefined): void {
    if (secret && secret.length >= MIN_SECRET_LENGTH) this.known.add(secret);
  }

  /** Adds every credential of a kubeconfig: tokens, passwords, client keys, auth-provider tokens. */
  addKubeconfigUsers(users: readonly KubeconfigUser[]): void {
    for (const user of users) {
      this.add(user.token);
      this.add(user.password);
      this.add(user.keyData);
      if (user.keyData) this.add(Buffer.from(user.keyData, 'base64').toString('utf8'));
      for (const [field, value] of Object.entries(user.authProvider?.config ?? {})) {
        if (/token|secret/i.test(field) && typeof value === 'string') this.add(value);
      }
    }
  }

  /** The text with every secret it knows of, and every secret-shaped string, replaced. */
  scrub(text: string): string {
    let out = text;
    for (const secret of this.known) if (out.includes(secret)) out = out.replaceAll(secret, REDACTED);
    for (const pattern of PATTERNS) out = out.replace(pattern, REDACTED);
    return out.replace(BEARER, `$1${REDACTED}`);
  }
}

/** `options` with the redacted paths and a scrubber run on every line written. */
export function redactingLoggerOptions(options: LoggerOptions, scrubber: SecretScrubber): LoggerOptions {
  return {
    ...options,
    redact: { paths: REDACT_PATHS, censor: REDACTED },
    hooks: { ...options.hooks, streamWrite: (line) => scrubber.scrub(line) },
  };
}

/**
 * The message of an error from loading a kubeconfig, without the lines of the file that the YAML
 * parser quotes around the fault (they may hold a token or a client key): only its first line,
 * which names the fault and its line and column.
 */
export function kubeconfigErrorMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0]?.trim() ?? '';
}
