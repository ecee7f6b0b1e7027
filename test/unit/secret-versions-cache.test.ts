/**
 * The secret cache of the Secrets Manager store: what it reads and when, and that a cached
 * entry neither stretches nor shortens a rotation's overlap (the decision is taken from the
 * current version's CreatedDate at every call, never from when it was read).
 */
import { SecretVersionsCache, type FetchedVersion } from '../../lambdas/adapters/secret-versions-cache';

/** A fake Secrets Manager: versions by label, every read recorded, the clock moved by hand. */
function setup(maxAgeSeconds = 60) {
  let now = 1_000_000_000_000;
  const labels: Record<'AWSCURRENT' | 'AWSPREVIOUS', FetchedVersion | undefined> = { AWSCURRENT: undefined, AWSPREVIOUS: undefined };
  const reads: string[] = [];
  let failNext = false;
  const fetch = async (_id: string, stage: 'AWSCURRENT' | 'AWSPREVIOUS') => {
    reads.push(stage);
    if (failNext) {
      failNext = false;
      throw new Error('throttled');
    }
    return labels[stage] && { ...labels[stage] };
  };
  const cache = new SecretVersionsCache(fetch, maxAgeSeconds, () => now);
  /** A new version made now: the old current becomes previous, as PutSecretValue does. */
  const rotate = (value: string) => {
    labels.AWSPREVIOUS = labels.AWSCURRENT;
    labels.AWSCURRENT = { value, versionId: `v-${value}`, createdAt: now };
  };
  return { cache, reads, rotate, labels, advance: (ms: number) => (now += ms), failOnce: () => (failNext = true) };
}

test('steady state: one read per cache period, and no AWSPREVIOUS read when the current value is old', async () => {
  const t = setup();
  t.rotate('one');
  t.advance(3_600_000);
  for (let i = 0; i < 5; i++) expect(await t.cache.get('s', 600)).toMatchObject({ value: 'one', previous: null });
  expect(t.reads).toEqual(['AWSCURRENT']);
  t.advance(60_000);
  await t.cache.get('s', 600);
  expect(t.reads).toEqual(['AWSCURRENT', 'AWSCURRENT']);
});

test('a young current value brings its previous value, read once and kept with it', async () => {
  const t = setup();
  t.rotate('one');
  t.advance(3_600_000);
  t.rotate('two');
  t.advance(1_000);
  const got = await t.cache.get('s', 600);
  expect(got).toEqual({ value: 'two', since: new Date(t.labels.AWSCURRENT!.createdAt), previous: 'one' });
  await t.cache.get('s', 600);
  expect(t.reads).toEqual(['AWSCURRENT', 'AWSPREVIOUS']);
});

test('a cached entry does not stretch the overlap: past since + overlap the previous value is gone at once', async () => {
  const t = setup(60);
  t.rotate('one');
  t.rotate('two');
  t.advance(9_000);
  expect((await t.cache.get('s', 10))?.previous).toBe('one');
  t.advance(1_000); // exactly since + 10 s, while the entry read a second ago is still kept
  expect((await t.cache.get('s', 10))?.previous).toBeNull();
  expect(t.reads).toEqual(['AWSCURRENT', 'AWSPREVIOUS']);
});

test('a cached entry does not shorten it: an entry read before the rotation is replaced within the cache period and the window still ends at since + overlap', async () => {
  const t = setup(60);
  t.rotate('one');
  t.advance(3_600_000);
  expect(await t.cache.get('s', 120)).toMatchObject({ value: 'one', previous: null });
  t.rotate('two');
  const rotatedAt = t.labels.AWSCURRENT!.createdAt;
  t.advance(59_999);
  expect((await t.cache.get('s', 120))?.value).toBe('one'); // not seen yet, and the old value still signs
  t.advance(1);
  expect(await t.cache.get('s', 120)).toEqual({ value: 'two', since: new Date(rotatedAt), previous: 'one' });
  t.advance(120_000 - 60_001);
  expect((await t.cache.get('s', 120))?.previous).toBe('one');
  t.advance(1);
  expect((await t.cache.get('s', 120))?.previous).toBeNull();
});

test('a rotation between the two reads is noticed: both are read again', async () => {
  const t = setup();
  t.rotate('one');
  t.rotate('two');
  const read = t.cache.get('s', 600);
  // Secrets Manager moves on after the AWSCURRENT read and before the AWSPREVIOUS one.
  t.rotate('three');
  expect(await read).toEqual({ value: 'three', since: expect.any(Date), previous: 'two' });
  expect(t.reads).toEqual(['AWSCURRENT', 'AWSPREVIOUS', 'AWSCURRENT', 'AWSPREVIOUS']);
});

test('reads arriving together share one request; failures and missing secrets are not kept', async () => {
  const t = setup();
  expect(await t.cache.get('s', 600)).toBeUndefined();
  t.rotate('one');
  t.advance(3_600_000);
  expect(await t.cache.get('s', 600)).toMatchObject({ value: 'one' });
  t.cache.forget('s');
  t.failOnce();
  await expect(t.cache.get('s', 600)).rejects.toThrow('throttled');
  const together = await Promise.all([t.cache.get('s', 600), t.cache.get('s', 600), t.cache.get('s', 600)]);
  expect(together.map((v) => v?.value)).toEqual(['one', 'one', 'one']);
  expect(t.reads).toEqual(['AWSCURRENT', 'AWSCURRENT', 'AWSCURRENT', 'AWSCURRENT']);
});
