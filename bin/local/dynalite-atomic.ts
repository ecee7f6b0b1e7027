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
  createKey(item: Item, table: DynaliteTable): string;
  /** Set once patched, so a second call does nothing. */
  atomicWrites?: true;
}

type Item = Record<string, Record<string, unknown>>;

/** A table's description as dynalite stores it (the DescribeTable shape). */
interface DynaliteTable {
  TableName: string;
  GlobalSecondaryIndexes?: Array<{ IndexName: string }>;
  LocalSecondaryIndexes?: Array<{ IndexName: string }>;
}

/** dynalite's store: `db` is the one LevelDB every table's items and indexes live in, under key prefixes. */
interface DynaliteStore {
  db: { batch(operations: BatchOperation[], cb: (error?: unknown) => void): void };
}

/**
 * Key prefixes of dynalite's sub-databases (db/index.js: getItemDb, getIndexDb, getSubDb adds
 * the `~`). If a dynalite release changed them, the patched writes would land where dynalite
 * never reads: test/unit/dynalite-atomic.test.ts reads them back through dynalite's own API.
 */
const itemPrefix = (table: string) => `item-${table}~`;
const indexPrefix = (kind: 'Local' | 'Global', table: string, index: string) => `index-${kind.toLowerCase()}~${table}~${index}~`;

/** Patches dynalite (idempotent). Call before the first write. */
export function makeDynaliteWritesAtomic(): void {
  const db = require('dynalite/db') as DynaliteDb;
  if (db.atomicWrites) return;
  if (typeof db.getIndexActions !== 'function' || typeof db.createKey !== 'function' || typeof db.updateIndexes !== 'function') {
    throw new Error('this dynalite release does not have the db functions local mode patches (db.getIndexActions, db.createKey)');
  }
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
