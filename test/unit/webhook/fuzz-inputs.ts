/**
 * What the webhook fuzzer sends: fast-check arbitraries for AdmissionReview bodies, from
 * well-formed reviews of valid-looking MultiClusterServices to truncated JSON, wrong types,
 * huge strings, deep nesting, unicode, odd uids and raw bytes, with odd Content-Types.
 */
import fc from 'fast-check';
import { ROUTES } from '../../../webhook/app.ts';

/** One request of the fuzzer: where it goes, its body and its Content-Type (none when undefined). */
export interface FuzzCase {
  url: string;
  body: string | Buffer;
  contentType: string | undefined;
}

const PERMANENT_ID = 'multiclusterservice.karmada.io/permanent-id';
const MCS_GVK = { group: 'networking.karmada.io', version: 'v1alpha1', kind: 'MultiClusterService' };
/** Stands for a value nested `n` levels deep; replaced in the JSON text (JSON.stringify would overflow). */
const DEEP = /"@@deep:(\d+)@@"/g;

/** Strings a person, a Go client or an attacker might send. */
const oddString = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.integer({ min: 60, max: 300 }).map((n) => 'a'.repeat(n)) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '',
      ' ',
      '-',
      'a.b',
      'A',
      'a'.repeat(64),
      '__proto__',
      'constructor',
      'toString',
      '\u0000',
      '\u202e',
      '\ud800',
      '🙂',
      '%00',
      '../../etc/passwd',
    ),
  },
);
const dnsLabel = fc.stringMatching(/^[a-z]([-a-z0-9]{0,10}[a-z0-9])?$/);
const name = fc.oneof({ weight: 5, arbitrary: dnsLabel }, { weight: 2, arbitrary: oddString });
const deep = fc.integer({ min: 50, max: 2_000 }).map((n) => `@@deep:${n}@@`);
const wrongType = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
  deep,
);

/** Mostly a value of `arb`; sometimes one of the wrong type, or none at all. */
function mostly<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 12, arbitrary: arb },
    { weight: 1, arbitrary: wrongType },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

function list<T>(arb: fc.Arbitrary<T>, maxLength = 4): fc.Arbitrary<unknown> {
  return mostly(fc.array(arb, { maxLength }));
}

const port = fc.record(
  {
    name: mostly(fc.oneof(dnsLabel, fc.constant('http'), oddString)),
    port: mostly(fc.oneof(fc.integer({ min: 1, max: 65535 }), fc.integer(), fc.double(), fc.constant('80'))),
  },
  { requiredKeys: ['port'] },
);
const selector = fc.record({ name: mostly(fc.oneof(fc.constantFrom('member1', 'member2'), name)) });

const spec = fc.record(
  {
    types: list(fc.oneof(fc.constantFrom('CrossCluster', 'LoadBalancer'), oddString), 3),
    ports: list(port),
    providerClusters: list(selector),
    consumerClusters: list(selector),
    range: mostly(fc.record({ clusterNames: list(name) })),
    serviceProvisionClusters: list(name),
    serviceConsumptionClusters: list(name),
    future: fc.anything({ maxDepth: 3, maxKeys: 3 }),
  },
  { requiredKeys: [] },
);

const metadata = fc.record(
  {
    name: mostly(name),
    generateName: mostly(name),
    namespace: mostly(name),
    labels: mostly(
      fc.dictionary(fc.oneof(fc.constant(PERMANENT_ID), oddString), mostly(oddString), { maxKeys: 3 }),
    ),
    deletionTimestamp: mostly(fc.constant('2026-01-01T00:00:00Z')),
    finalizers: list(oddString, 2),
  },
  { requiredKeys: [] },
);

/** A MultiClusterService most of the time: valid-looking, with random and wrongly typed fields. */
const mcsObject = mostly(
  fc.record(
    {
      apiVersion: mostly(fc.constant('networking.karmada.io/v1alpha1')),
      kind: mostly(fc.constant('MultiClusterService')),
      metadata: mostly(metadata),
      spec: mostly(spec),
      status: fc.anything({ maxDepth: 2, maxKeys: 3 }),
    },
    { requiredKeys: ['metadata', 'spec'] },
  ),
);

const gvk = fc.oneof(
  { weight: 8, arbitrary: fc.constant(MCS_GVK) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      { group: 'apps', version: 'v1', kind: 'Deployment' },
      { group: '', version: 'v1', kind: 'Service' },
      { group: MCS_GVK.group, version: 'v1', kind: 'ServiceExport' },
    ),
  },
  {
    weight: 1,
    arbitrary: fc.record({ group: mostly(oddString), version: mostly(oddString), kind: mostly(oddString) }),
  },
  { weight: 1, arbitrary: wrongType },
);

const request = fc
  .record(
    {
      uid: fc.oneof(
        { weight: 8, arbitrary: fc.uuid() },
        { weight: 2, arbitrary: oddString },
        { weight: 1, arbitrary: wrongType },
        { weight: 1, arbitrary: fc.constant(undefined) },
      ),
      kind: gvk,
      subResource: fc.option(fc.oneof(fc.constantFrom('status', ''), wrongType), { freq: 8, nil: undefined }),
      name: mostly(name),
      namespace: mostly(name),
      operation: mostly(fc.oneof(fc.constantFrom('CREATE', 'UPDATE', 'DELETE', 'CONNECT'), oddString)),
      object: mcsObject,
      oldObject: mcsObject,
      dryRun: mostly(fc.boolean()),
      userInfo: fc.anything({ maxDepth: 2, maxKeys: 3 }),
    },
    { requiredKeys: ['uid', 'kind', 'operation', 'object'] },
  )
  // Half the UPDATEs leave the object as it was: the path that only checks the types.
  .chain((r) => fc.boolean().map((same) => (same ? { ...r, oldObject: r.object } : r)));

const review = fc.record({
  apiVersion: fc.oneof(
    { weight: 10, arbitrary: fc.constantFrom('admission.k8s.io/v1', 'admission.k8s.io/v1beta1') },
    { weight: 1, arbitrary: oddString },
    { weight: 1, arbitrary: wrongType },
  ),
  kind: fc.oneof(
    { weight: 12, arbitrary: fc.constant('AdmissionReview') },
    { weight: 1, arbitrary: mostly(oddString) },
  ),
  request: fc.oneof({ weight: 12, arbitrary: request }, { weight: 1, arbitrary: wrongType }),
});

/** `[[[…]]]` n levels deep. */
function nested(n: number): string {
  return '['.repeat(n) + ']'.repeat(n);
}

const fewCharacters = fc.string({ unit: 'binary', minLength: 1, maxLength: 3 });

/** A review as JSON, and the same JSON damaged: cut short, with bytes slipped in, behind a BOM. */
const serializedReview = review.chain((r) => {
  const json = JSON.stringify(r).replace(DEEP, (_, n: string) => nested(Number(n)));
  return fc.oneof(
    { weight: 12, arbitrary: fc.constant(json) },
    { weight: 3, arbitrary: fc.nat(json.length).map((i) => json.slice(0, i)) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.nat(json.length), fewCharacters)
        .map(([i, s]) => json.slice(0, i) + s + json.slice(i)),
    },
    { weight: 1, arbitrary: fc.constant(`\ufeff${json}`) },
  );
});

/** Bodies that are no AdmissionReview at all. */
const rawBody: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
  fc.json({ maxDepth: 3 }),
  fc.integer({ min: 1, max: 5_000 }).map(nested),
  fc.integer({ min: 1, max: 5_000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
  fc.constantFrom(
    '',
    'null',
    'true',
    '[]',
    '{}',
    '"AdmissionReview"',
    '{"kind":"AdmissionReview"}',
    '{"__proto__":{"x":1}}',
  ),
);

/**
 * The rare big ones: a string of up to 2 MB, or nesting up to 100,000 deep, at the top or in a
 * field the webhook reads.
 */
const hugeBody: fc.Arbitrary<string> = fc
  .tuple(
    fc.constantFrom('body', 'uid', 'name', 'types', 'spec'),
    fc.boolean(),
    fc.integer({ min: 100_000, max: 2_000_000 }),
  )
  .map(([where, deepNotLong, size]) => {
    const value = deepNotLong ? nested(size / 20) : JSON.stringify('x'.repeat(size));
    const uid = where === 'uid' ? value : '"u"';
    const metadata = where === 'name' ? `{"name":${value}}` : '{"name":"a"}';
    const spec = where === 'types' ? `{"types":[${value}]}` : where === 'spec' ? value : '{}';
    if (where === 'body') return value;
    return `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":${uid},"kind":{"group":"networking.karmada.io","version":"v1alpha1","kind":"MultiClusterService"},"operation":"CREATE","object":{"metadata":${metadata},"spec":${spec}}}}`;
  });

const contentType = fc.option(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'application/octet-stream',
    'application/json; charset=utf-16',
    'json please',
    '',
  ),
  { freq: 6, nil: undefined },
);

const url = fc.oneof(
  { weight: 20, arbitrary: fc.constantFrom(ROUTES.validate, ROUTES.mutate) },
  { weight: 1, arbitrary: fc.constantFrom(`${ROUTES.validate}?timeout=3s`, `${ROUTES.mutate}/`, '/metrics') },
);

/** Every kind of request the fuzzer sends; most are AdmissionReviews, damaged or not. */
export const fuzzCase: fc.Arbitrary<FuzzCase> = fc.record({
  url,
  body: fc.oneof(
    { weight: 40, arbitrary: serializedReview },
    { weight: 10, arbitrary: rawBody },
    { weight: 1, arbitrary: hugeBody },
  ),
  contentType: fc.oneof(
    { weight: 8, arbitrary: fc.constant('application/json') },
    { weight: 1, arbitrary: contentType },
  ),
});

/** The seed of a run: FUZZ_SEED, else a fixed one, so `make test` runs the same cases every time. */
export function fuzzSeed(): number {
  const given = process.env.FUZZ_SEED;
  if (given === undefined || given === '') return 20_261_122;
  const seed = Number(given);
  if (!Number.isSafeInteger(seed))
    throw new Error(`FUZZ_SEED must be an integer, got ${JSON.stringify(given)}`);
  return seed;
}

/** How many cases a run makes: `base` times FUZZ_SCALE (default 1; 10 for a long run). */
export function fuzzRuns(base: number): number {
  const scale = Number(process.env.FUZZ_SCALE ?? '1');
  if (!(scale > 0)) throw new Error(`FUZZ_SCALE must be a positive number, got ${process.env.FUZZ_SCALE}`);
  return Math.ceil(base * scale);
}
