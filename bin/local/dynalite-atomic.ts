/**
 * Makes dynalite's item writes crash-safe. dynalite 4 writes an item's secondary-index entries
 * and the item itself as separate LevelDB writes (db.updateIndexes, then itemDb.put/del), so a
 * `kill -9` between them leaves an index entry for a state the item never reached (or an item
 * whose entry is gone). An orphan entry is never removed afterwards: dynalite deletes the entry
 * of the item *as stored*, not the orphan, so the sweeper would find it on every sweep, forever.
 *
 * The fix replaces `updateIndexes` on dynalite's own db module (its actions call it through the
 * module object) with one that writes the index changes *and* the item in one LevelDB batch,
 * which LevelDB applies all or nothing (one record in its write-ahead log). The action's own
 * item write that follows writes the same value again: redundant, harmless, under the item's
 * lock. Reads, conditions and the key encodings stay dynalite's own.
 */
/** One LevelDB batch operation. */
type BatchOperation = { type: 'put'; key: string; value: unknown } | { type: 'del'; key: string };

/** The parts of dynalite's (CommonJS, untyped) db module this uses. */
interface DynaliteDb {
  updateIndexes(store: DynaliteStore, table: DynaliteTable, existingItem: Item | null | undefined, item: Item | null | undefined, cb: (error?: unknown) => void): void;
  getIndexActions(indexes: unknown[], existingItem: Item | null | undefined, item: Item | null | undefined, table: DynaliteTable): {
    puts: Array<{ index: string; key: string; item: Item }>;
    deletes: Array<{ index: string; key: string }>;
  };
  createKey(item: Item, table: DynaliteTable, keySchema?: KeySchema): string;
  create(options: unknown): DynaliteStore;
  /** Set once patched, so a second call does nothing. */
  atomicWrites?: true;
}

type Item = Record<string, Record<string, unknown>>;
type KeySchema = Array<{ AttributeName: string; KeyType: string }>;

/** A table's description as dynalite stores it (the DescribeTable shape). */
interface DynaliteTable {
  TableName: string;
  GlobalSecondaryIndexes?: Array<{ IndexName: string; KeySchema: KeySchema }>;
  LocalSecondaryIndexes?: Array<{ IndexName: string; KeySchema: KeySchema }>;
}

/** dynalite's store: `db` is the one LevelDB every table's items and indexes live in, under key prefixes. */
interface DynaliteStore {
  db: {
    batch(operations: BatchOperation[], cb: (error?: unknown) => void): void;
    iterator(options: { gte: string; lt: string }): AsyncIterable<[string, unknown]>;
  };
}

/** The store of the dynalite made last in this process (db.create is wrapped to learn it). */
let lastStore: DynaliteStore | undefined;

/**
 * Key prefixes of dynalite's sub-databases (db/index.js: getItemDb, getIndexDb, getSubDb adds
 * the `~`). If a dynalite release changed them, the patched writes would land where dynalite
 * never reads: test/unit/dynalite-atomic.test.ts reads them back through dynalite's own API.
 */
const itemPrefix = (table: string) => `item-${table}~`;
const indexPrefix = (kind: 'Local' | 'Global', table: string, index: string) => `index-${kind.toLowerCase()}~${table}~${index}~`;
const TABLE_PREFIX = 'table~';
/** Above every key character dynalite writes (it bounds its own ranges the same way). */
const END = '\xff';

function dynaliteDb(): DynaliteDb {
  return require('dynalite/db') as DynaliteDb;
}

/** Patches dynalite (idempotent). Call before the first write. */
export function makeDynaliteWritesAtomic(): void {
  const db = dynaliteDb();
  if (db.atomicWrites) return;
  if (!['getIndexActions', 'createKey', 'updateIndexes', 'create'].every((name) => typeof db[name as keyof DynaliteDb] === 'function')) {
    throw new Error('this dynalite release does not have the db functions local mode patches (db.getIndexActions, createKey, updateIndexes, create)');
  }
  const create = db.create;
  db.create = (options) => (lastStore = create(options));
  db.updateIndexes = (store, table, existingItem, item, cb) => {
    if (!existingItem && !item) return cb();
    const deletes: BatchOperation[] = [];
    const puts: BatchOperation[] = [];
    for (const kind of ['Local', 'Global'] as const) {
      const indexes = (kind === 'Local' ? table.LocalSecondaryIndexes : table.GlobalSecondaryIndexes) ?? [];
      const actions = db.getIndexActions(indexes, existingItem, item, table);
      for (const action of actions.deletes) deletes.push({ type: 'del', key: indexPrefix(kind, table.TableName, action.index) + action.key });
      for (const action of actions.puts) puts.push({ type: 'put', key: indexPrefix(kind, table.TableName, action.index) + action.key, value: action.item });
    }
    // As dynalite orders them: the old entries go first (an unchanged key is not deleted at all).
    const itemKey = itemPrefix(table.TableName) + db.createKey((item ?? existingItem)!, table);
    const itemWrite: BatchOperation = item ? { type: 'put', key: itemKey, value: item } : { type: 'del', key: itemKey };
    store.db.batch([...deletes, ...puts, itemWrite], cb);
  };
  db.atomicWrites = true;
}

/**
 * Makes every secondary index agree with its items, as a data directory written before the patch
 * may not (a kill between dynalite's separate writes; dynalite never repairs them itself): an
 * entry whose item is gone, lacks the index's key attributes or is indexed under another key is
 * removed, and an item's missing entry is written. Run at start, before anything else reads or
 * writes the engine (`startEngines`). Reads the LevelDB directly (an entry's own key is needed to
 * delete it); what an item's entries should be is dynalite's own rule (db.getIndexActions).
 */
export async function repairIndexes(): Promise<{ removed: number; restored: number }> {
  const db = dynaliteDb();
  const store = lastStore;
  if (!store) throw new Error('no dynalite was made in this process');
  const entries = async function* (prefix: string) {
    for await (const [key, value] of store.db.iterator({ gte: prefix, lt: prefix + END })) yield { key, value: value as Item };
  };
  const tables: DynaliteTable[] = [];
  for await (const { value } of entries(TABLE_PREFIX)) tables.push(value as unknown as DynaliteTable);
  const fixes: BatchOperation[] = [];
  let removed = 0;
  for (const table of tables) {
    for (const kind of ['Local', 'Global'] as const) {
      const indexes = (kind === 'Local' ? table.LocalSecondaryIndexes : table.GlobalSecondaryIndexes) ?? [];
      if (indexes.length === 0) continue;
      // Every entry each index should hold, from the items.
      const expected = new Map<string, Item>();
      for await (const { value: item } of entries(itemPrefix(table.TableName))) {
        for (const put of db.getIndexActions(indexes, null, item, table).puts) expected.set(indexPrefix(kind, table.TableName, put.index) + put.key, put.item);
      }
      for (const index of indexes) {
        for await (const { key } of entries(indexPrefix(kind, table.TableName, index.IndexName))) {
          if (expected.has(key)) expected.delete(key);
          else {
            fixes.push({ type: 'del', key });
            removed++;
          }
        }
      }
      for (const [key, value] of expected) fixes.push({ type: 'put', key, value });
    }
  }
  if (fixes.length > 0) await new Promise<void>((resolve, reject) => store.db.batch(fixes, (error) => (error ? reject(error) : resolve())));
  return { removed, restored: fixes.length - removed };
}
