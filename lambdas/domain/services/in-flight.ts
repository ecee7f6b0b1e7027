/**
 * Bounds the attempts in flight to one webhook, so a slow or hanging endpoint costs only its
 * own deliveries time, never another webhook's.
 *
 * Two bounds, both cheap for healthy traffic:
 * - **In each process**, at most {@link PROCESS_IN_FLIGHT_PER_WEBHOOK} attempts to a webhook
 *   run at once (a counter in memory, free). This is what holds the first wave: when an
 *   endpoint starts hanging, a worker process cannot fill its slots with it before anyone
 *   knows it hangs.
 * - **Across every worker**, a webhook whose attempt has been in flight for
 *   {@link slowAfterMs} is marked slow (in the shared {@link FlightStore}, for
 *   {@link SLOW_MARK_MS}); while marked, each attempt takes one of
 *   {@link SLOW_WEBHOOK_IN_FLIGHT} leases first. A deployed deliver container that holds one of
 *   those attempts is held for up to the attempt timeout, so a hung endpoint holds at most that
 *   many containers, whatever its backlog.
 *
 * A message that finds no place goes back to the queue for later (not an attempt): soon when
 * the webhook is merely busy, after about one attempt timeout when it is marked slow (that is
 * when a place frees up), jittered so a backlog does not come back in one lump.
 */
import type { FlightStore } from '../ports';

/**
 * Attempts to one webhook a process runs at once, unless the process says otherwise. Deployed,
 * a deliver container handles one batch of at most 10 records, so this never binds there; local
 * mode runs 40 records at once (4 poll loops × 10), and one webhook gets at most half of them.
 */
export const PROCESS_IN_FLIGHT_PER_WEBHOOK = 20;

/** Attempts to a webhook marked slow that run at once across every worker. */
export const SLOW_WEBHOOK_IN_FLIGHT = 2;

/** How long a slow mark lasts; each slow attempt renews it (written again past its half-life). */
export const SLOW_MARK_MS = 10 * 60_000;

/** How long a process trusts what it read of a mark before reading it again. */
const MARK_READ_TTL_MS = 2000;

/** Marks remembered per process before stale ones are dropped. */
const MAX_REMEMBERED_MARKS = 10_000;

/** When an attempt in flight counts as slow: a second, or half the attempt timeout if shorter. */
export function slowAfterMs(attemptTimeoutMs: number): number {
  return Math.min(1000, Math.max(1, Math.floor(attemptTimeoutMs / 2)));
}

/** A place for one attempt; `sending()` right before the POST, `release()` once it ended. */
export interface FlightPass {
  /** Starts the slow watch: if the POST is still in flight after {@link slowAfterMs}, the webhook is marked slow. */
  sending(): void;
  release(): Promise<void>;
}

/** No place now: come back at `retryAt`. `slow` says whether the webhook is marked slow. */
export interface FlightRefusal {
  retryAt: Date;
  slow: boolean;
}

/** The per-process guard; one per worker process (it counts that process's attempts). */
export class InFlightGuard {
  private readonly inProcess = new Map<string, number>();
  private readonly marks = new Map<string, { slowUntil: number | null; readAt: number }>();

  constructor(
    private readonly store: FlightStore,
    private readonly now: () => Date,
    private readonly attemptTimeoutMs: number,
    private readonly leaseMarginMs: number,
    private readonly random: () => number = Math.random,
    /** This process's share per webhook (a benchmark measuring one webhook's throughput raises it). */
    private readonly processShare: number = PROCESS_IN_FLIGHT_PER_WEBHOOK,
  ) {}

  /** A place for one attempt to this webhook, or when to come back. */
  async enter(team: string, webhookId: string): Promise<FlightPass | FlightRefusal> {
    const key = `${team}\u0000${webhookId}`;
    const running = this.inProcess.get(key) ?? 0;
    if (running >= this.processShare) return this.refusal(this.isMarked(key));
    // Counted before any await, so concurrent records of this process see it.
    this.inProcess.set(key, running + 1);
    let token: string | null = null;
    try {
      const slow = await this.readMark(team, webhookId, key);
      if (slow) {
        const now = this.now();
        token = await this.store.acquire(team, webhookId, SLOW_WEBHOOK_IN_FLIGHT, now, new Date(now.getTime() + this.attemptTimeoutMs + this.leaseMarginMs));
        if (token === null) {
          this.leave(key);
          return this.refusal(true);
        }
      }
    } catch (error) {
      this.leave(key);
      throw error;
    }
    return this.pass(team, webhookId, key, token);
  }

  private pass(team: string, webhookId: string, key: string, token: string | null): FlightPass {
    let watch: ReturnType<typeof setTimeout> | undefined;
    let released = false;
    return {
      sending: () => {
        watch = setTimeout(() => {
          // After the I/O that is already waiting: a process stalled past the threshold (a busy
          // event loop runs due timers before pending I/O) may hold the answer already, and an
          // endpoint is not slow because its worker was.
          setImmediate(() => {
            // Advisory: a failed write only means the next slow attempt marks it.
            if (!released) this.mark(team, webhookId, key).catch(() => undefined);
          });
        }, slowAfterMs(this.attemptTimeoutMs));
      },
      release: async () => {
        if (released) return;
        released = true;
        clearTimeout(watch);
        this.leave(key);
        if (token !== null) await this.store.release(team, webhookId, token);
      },
    };
  }

  private refusal(slow: boolean): FlightRefusal {
    // Marked slow: a place frees when an attempt ends, i.e. within one attempt timeout.
    // Merely busy: a place frees within moments.
    const base = slow ? this.attemptTimeoutMs : 1000;
    return { retryAt: new Date(this.now().getTime() + Math.round(base * (0.5 + this.random()))), slow };
  }

  private leave(key: string): void {
    const running = (this.inProcess.get(key) ?? 1) - 1;
    if (running <= 0) this.inProcess.delete(key);
    else this.inProcess.set(key, running);
  }

  private isMarked(key: string): boolean {
    const known = this.marks.get(key);
    return known !== undefined && known.slowUntil !== null && known.slowUntil > this.now().getTime();
  }

  private async readMark(team: string, webhookId: string, key: string): Promise<boolean> {
    const nowMs = this.now().getTime();
    const known = this.marks.get(key);
    if (!known || nowMs - known.readAt > MARK_READ_TTL_MS) {
      if (this.marks.size >= MAX_REMEMBERED_MARKS) this.forgetStaleMarks(nowMs);
      const until = await this.store.slowUntil(team, webhookId, new Date(nowMs));
      this.marks.set(key, { slowUntil: until?.getTime() ?? null, readAt: nowMs });
    }
    return this.isMarked(key);
  }

  /** Drops what was read long ago (a long-lived process sees many webhooks over the years). */
  private forgetStaleMarks(nowMs: number): void {
    for (const [key, known] of this.marks) if (nowMs - known.readAt > MARK_READ_TTL_MS) this.marks.delete(key);
  }

  private async mark(team: string, webhookId: string, key: string): Promise<void> {
    const nowMs = this.now().getTime();
    const known = this.marks.get(key);
    // Renewed past its half-life only: a hung endpoint's many slow attempts write it rarely.
    if (known?.slowUntil && known.slowUntil - nowMs > SLOW_MARK_MS / 2) return;
    const until = nowMs + SLOW_MARK_MS;
    this.marks.set(key, { slowUntil: until, readAt: nowMs });
    await this.store.markSlow(team, webhookId, new Date(until));
  }
}
