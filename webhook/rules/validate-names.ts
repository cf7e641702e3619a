/**
 * The name and number rules Karmada's webhook applies, with apimachinery's exact messages
 * (k8s.io/apimachinery/pkg/util/validation, v0.36) and Karmada's cluster-name rule
 * (pkg/apis/cluster/validation.ValidateClusterName).
 */
import { CLUSTER_NAME_MAX_LENGTH } from '../../lib/cluster-name.ts';

const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL = new RegExp(`^${DNS1123_LABEL_FMT}$`);
const DNS1123_SUBDOMAIN = new RegExp(`^${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*$`);
const DNS1123_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";

const DNS1035_LABEL_FMT = '[a-z]([-a-z0-9]*[a-z0-9])?';
const DNS1035_LABEL = new RegExp(`^${DNS1035_LABEL_FMT}$`);
const DNS1035_LABEL_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";

const LABEL_MAX_LENGTH = 63;

/** `must be no more than N characters`. */
export function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

/** A regex failure with examples, formatted exactly as apimachinery's RegexError. */
function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  const listed = examples.map((e) => `'${e}', `).join(' or ');
  return `${msg} (e.g. ${listed}regex used for validation is '${fmt}')`;
}

/** Length in bytes, as Go's len() counts it. */
function byteLength(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

/** The reasons value is not an RFC 1123 label (empty when it is one). */
export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > LABEL_MAX_LENGTH) errs.push(maxLenError(LABEL_MAX_LENGTH));
  if (!DNS1123_LABEL.test(value)) {
    // A valid subdomain that is not a label can only be wrong because of its dots.
    if (DNS1123_SUBDOMAIN.test(value)) errs.push('must not contain dots');
    else errs.push(regexError(DNS1123_LABEL_MSG, DNS1123_LABEL_FMT, 'my-name', '123-abc'));
  }
  return errs;
}

/** The reasons value is not an RFC 1035 label (empty when it is one). */
export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > LABEL_MAX_LENGTH) errs.push(maxLenError(LABEL_MAX_LENGTH));
  if (!DNS1035_LABEL.test(value)) {
    errs.push(regexError(DNS1035_LABEL_MSG, DNS1035_LABEL_FMT, 'my-name', 'abc-123'));
  }
  return errs;
}

/** Karmada's cluster-name rule: not empty, at most 48 characters, an RFC 1123 label. */
export function validateClusterName(name: string): string[] {
  if (name.length === 0) return ['must be not empty'];
  if (byteLength(name) > CLUSTER_NAME_MAX_LENGTH) return [maxLenError(CLUSTER_NAME_MAX_LENGTH)];
  return isDNS1123Label(name);
}

/** `must be between 1 and 65535, inclusive` unless port is a valid port number. */
export function isValidPortNum(port: number): string[] {
  return port >= 1 && port <= 65535 ? [] : ['must be between 1 and 65535, inclusive'];
}
