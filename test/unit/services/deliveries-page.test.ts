/**
 * The deliveries log pages within a byte budget: `limit` large deliveries (payloads near their
 * 200 KiB limit) would be megabytes, past Lambda's 6 MB answer limit, so a page ends early with
 * a cursor that goes on right after its last item, and following cursors sees every delivery once.
 */
import { listDeliveries, PAGE_BYTE_BUDGET } from '../../../lambdas/domain/services/deliveries';
import { inMemoryDeps, sampleEvent, seedDelivery, type InMemoryDeps } from '../support/in-memory-deps';
import { TEAM } from './fixtures';

/** `count` deliveries of one event whose payloads render to about `kib` KiB each; ids oldest first. */
async function seedLarge(deps: InMemoryDeps, count: number, kib: number): Promise<string[]> {
  const event = sampleEvent('evt-big');
  const at = deps.now().toISOString();
  await deps.events.putIfAbsent({ team: TEAM, eventId: event.id, event: { ...event, artifact: { ...event.artifact, metadata: { k: 'x'.repeat(kib * 256) } } }, deliveries: [], createdAt: at });
  const ids: string[] = [];
  for (let index = 0; index < count; index++) {
    const id = `dlv_${String(index).padStart(4, '0')}`;
    await seedDelivery(deps, id, { eventId: event.id, template: { a: '${artifact_metadata.k}', b: '${artifact_metadata.k}', c: '${artifact_metadata.k}', d: '${artifact_metadata.k}' } });
    ids.push(id);
  }
  return ids;
}

const bytesOf = (items: unknown[]) => items.reduce<number>((sum, item) => sum + Buffer.byteLength(JSON.stringify(item)) + 1, 0);

describe('deliveries log pages within a byte budget', () => {
  test('a page of large deliveries ends early with a cursor; following it sees each delivery once, newest first', async () => {
    const deps = inMemoryDeps();
    const ids = await seedLarge(deps, 25, 195);
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 25; pages++) {
      const page = await listDeliveries(deps, TEAM, { limit: '100', cursor });
      expect(bytesOf(page.items)).toBeLessThanOrEqual(PAGE_BYTE_BUDGET);
      sizes.push(page.items.length);
      seen.push(...page.items.map((item) => item.id));
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual([...ids].reverse());
    // 195 KiB each: five fit in 1 MiB, a sixth would not.
    expect(sizes).toEqual([5, 5, 5, 5, 5]);
  });

  test('the budget ends a page only when it must: small deliveries fill `limit`', async () => {
    const deps = inMemoryDeps();
    await seedLarge(deps, 60, 1);
    const page = await listDeliveries(deps, TEAM, { limit: '50' });
    expect(page.items).toHaveLength(50);
    expect(page.nextCursor).not.toBeNull();
    expect((await listDeliveries(deps, TEAM, { limit: '50', cursor: page.nextCursor! })).items).toHaveLength(10);
  });

  test('one delivery larger than the budget still makes a page (so listing always moves on)', async () => {
    const deps = inMemoryDeps();
    await seedLarge(deps, 3, 1100);
    const first = await listDeliveries(deps, TEAM, { limit: '100' });
    expect(first.items.map((item) => item.id)).toEqual(['dlv_0002']);
    const second = await listDeliveries(deps, TEAM, { limit: '100', cursor: first.nextCursor! });
    expect(second.items.map((item) => item.id)).toEqual(['dlv_0001']);
  });
});
