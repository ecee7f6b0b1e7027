/** The parent's handle on the loopback receiver process (receiver-process.ts). */
import { ChildChannel, startChild, waitForMessage } from './child';

/** What the receiver counted since its last reset. */
export interface ReceiverStats {
  count: number;
  /** Wall-clock ms of the first and last POST received (0 if none). */
  first: number;
  last: number;
  /** POSTs that carried X-Wandb-Signature / Authorization. */
  signed: number;
  authorized: number;
  /** Event-to-receiver latencies (ms) of bodies that carried `sentAt`. */
  latencies: number[];
}

/** A running receiver. */
export interface BenchReceiver {
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  pid: number;
  reset(): Promise<void>;
  stats(withLatencies?: boolean): Promise<ReceiverStats>;
  /** Resolves once `count` POSTs arrived since the last reset; rejects after `timeoutMs`. */
  waitForCount(count: number, timeoutMs: number): Promise<ReceiverStats>;
  close(): Promise<void>;
}

export async function startBenchReceiver(): Promise<BenchReceiver> {
  const child = startChild('receiver-process.ts', []);
  const { port } = await waitForMessage<{ port: number }>(child, 'ready', 30_000);
  const channel = new ChildChannel(child);
  const stats = (withLatencies = false) => channel.request<ReceiverStats>('stats', { withLatencies });
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    reset: () => channel.request<void>('reset'),
    stats,
    async waitForCount(count, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const now = await stats();
        if (now.count >= count) return stats(true);
        if (Date.now() > deadline) throw new Error(`receiver got ${now.count} of ${count} POSTs within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: () => channel.stop(),
  };
}
