/** A delivery queue that keeps what was sent, for tests and benchmarks to take. */
import type { DeliveryMessage, DeliveryQueue } from '../../domain/ports';

/** In-memory DeliveryQueue. */
export class MemoryQueue implements DeliveryQueue {
  readonly sent: DeliveryMessage[] = [];

  async send(messages: readonly DeliveryMessage[]) {
    for (const message of messages) this.sent.push({ ...message });
  }

  /** Takes (and forgets) everything sent so far. */
  drain(): DeliveryMessage[] {
    return this.sent.splice(0, this.sent.length);
  }
}
