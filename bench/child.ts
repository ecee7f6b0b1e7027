/**
 * Figures run in child processes of their own (a fresh heap, their own environment, their own
 * module instances), and report back over the IPC channel. `runChild` starts one and waits for
 * its result; `childMain` is the child's side.
 */
import { fork, type ChildProcess, type StdioOptions } from 'node:child_process';
import path from 'node:path';

/** What a child sends when it is done. */
type ChildMessage<T> = { type: 'result'; value: T } | { type: 'error'; message: string };

/** Options of {@link runChild} / {@link startChild}. */
export interface ChildOptions {
  /** Added to the parent's environment. */
  env?: Record<string, string>;
  /** What the child's stdout is connected to; default: discarded (/dev/null). */
  stdout?: 'ignore' | 'inherit' | 'pipe';
  /** Gives up after this long. */
  timeoutMs?: number;
}

/** Forks `bench/<script>` under tsx (the parent's own execArgv) with an IPC channel. */
export function startChild(script: string, args: string[], options: ChildOptions = {}): ChildProcess {
  const stdio: StdioOptions = ['ignore', options.stdout ?? 'ignore', 'inherit', 'ipc'];
  return fork(path.join(__dirname, script), args, {
    env: { ...process.env, ...options.env },
    stdio,
    execArgv: process.execArgv,
  });
}

/** Runs a child to completion and returns the value it reported. */
export async function runChild<T>(script: string, args: string[], options: ChildOptions = {}): Promise<T> {
  const child = startChild(script, args, options);
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      reject(new Error(`${script} took longer than ${options.timeoutMs} ms`));
    }, options.timeoutMs ?? 300_000);
    child.on('message', (message: ChildMessage<T>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (message.type === 'result') resolve(message.value);
      else reject(new Error(`${script}: ${message.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (settled) return;
      settled = true;
      reject(new Error(`${script} exited (${code ?? signal}) without a result`));
    });
  });
}

/** The child's side: runs `main`, sends its value (or its error) and exits. */
export function childMain<T>(main: () => Promise<T>): void {
  main().then(
    (value) => {
      process.send!({ type: 'result', value } satisfies ChildMessage<T>, () => process.exit(0));
    },
    (error: unknown) => {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.send!({ type: 'error', message } satisfies ChildMessage<T>, () => process.exit(1));
    },
  );
}

/**
 * A request/answer channel to a long-lived child (the receiver, local mode): every request
 * carries an id, and the child answers with the same id.
 */
export class ChildChannel {
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (value: any) => void; reject: (error: Error) => void }>();

  constructor(readonly child: ChildProcess) {
    child.on('message', (message: { id?: number; error?: string; value?: unknown }) => {
      if (typeof message.id !== 'number') return;
      const waiter = this.waiting.get(message.id);
      if (!waiter) return;
      this.waiting.delete(message.id);
      if (message.error) waiter.reject(new Error(message.error));
      else waiter.resolve(message.value);
    });
    child.once('exit', (code, signal) => {
      for (const waiter of this.waiting.values()) waiter.reject(new Error(`child exited (${code ?? signal})`));
      this.waiting.clear();
    });
  }

  /** Sends a request and waits for its answer. */
  request<T>(type: string, body: Record<string, unknown> = {}): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.child.send({ id, type, ...body });
    });
  }

  /** Stops the child (SIGTERM, then SIGKILL after `graceMs`) and waits for it to exit. */
  async stop(graceMs = 5000): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
}

/** The child's side of a {@link ChildChannel}: answers each request with `handlers[type]`. */
export function serveRequests(handlers: Record<string, (body: any) => unknown>): void {
  process.on('message', (message: { id: number; type: string }) => {
    const handler = handlers[message.type];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown request ${message.type}`);
        return handler(message);
      })
      .then(
        (value) => process.send!({ id: message.id, value }),
        (error: unknown) => process.send!({ id: message.id, error: error instanceof Error ? error.message : String(error) }),
      );
  });
}

/** Waits for the first message of `type` from a child (e.g. its `ready`). */
export function waitForMessage<T>(child: ChildProcess, type: string, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} message within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (message: { type?: string }) => {
      if (message.type !== type) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(message as T);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited (${code}) before ${type}`));
    });
  });
}
