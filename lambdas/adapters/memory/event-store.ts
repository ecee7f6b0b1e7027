/** Accepted events in a Map, by team and event id (the EventStore port's rules). */
import type { EventRecord, EventStore } from '../../domain/ports';
import { frozenCopy } from './frozen';

/** In-memory EventStore. Records are kept frozen (frozen.ts). */
export class MemoryEventStore implements EventStore {
  protected readonly records = new Map<string, EventRecord>();

  async get(team: string, eventId: string) {
    return this.records.get(`${team}\u0000${eventId}`);
  }

  async getMany(team: string, eventIds: readonly string[]) {
    const found = new Map<string, EventRecord>();
    for (const eventId of eventIds) {
      const record = await this.get(team, eventId);
      if (record) found.set(eventId, record);
    }
    return found;
  }

  async putIfAbsent(record: EventRecord) {
    const key = `${record.team}\u0000${record.eventId}`;
    const earlier = this.records.get(key);
    if (earlier) return earlier;
    this.records.set(key, frozenCopy(record));
    return record;
  }
}
