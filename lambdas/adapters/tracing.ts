/**
 * X-Ray tracing (Powertools Tracer), one tracer per process. The stack turns on active tracing
 * for every Lambda and the API stage; the tracer then records each handler invocation, every
 * AWS SDK call (the clients in aws/*.ts are captured where they are made) and one subsegment
 * per delivery attempt.
 *
 * Outside Lambda — local mode, tests, the benchmarks — the tracer is disabled (Powertools
 * checks `AWS_EXECUTION_ENV`, and `POWERTOOLS_TRACE_ENABLED=false` turns it off anywhere), and
 * every function here is a pass-through: no segment, no daemon, no change to a client.
 *
 * Outgoing webhook POSTs are not patched (`captureHTTPsRequests: false`): the X-Ray HTTP patch
 * would add an `X-Amzn-Trace-Id` header to what receivers get, which is documented header by
 * header. The attempt is traced as its own subsegment instead ({@link traced}).
 */
import type { Tracer } from '@aws-lambda-powertools/tracer';
import type { Subsegment } from 'aws-xray-sdk-core';

/**
 * Whether this process traces: in Lambda (`AWS_EXECUTION_ENV`), unless
 * `POWERTOOLS_TRACE_ENABLED=false` — Powertools' own rule.
 */
export function tracingWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.AWS_EXECUTION_ENV !== undefined && env.POWERTOOLS_TRACE_ENABLED?.toLowerCase() !== 'false';
}

/**
 * The process's tracer, or undefined when it does not trace. The tracer is loaded only then:
 * the X-Ray SDK keeps its context with `cls-hooked` (async hooks), which once loaded slows every
 * `await` of the process about 15× (measured: 2 million awaits, 0.28 s → 4.3 s). Local mode,
 * the tests and the benchmarks must not pay that for a tracer that records nothing.
 */
export const tracer: Tracer | undefined = tracingWanted()
  ? // eslint-disable-next-line @typescript-eslint/no-require-imports
    new (require('@aws-lambda-powertools/tracer') as typeof import('@aws-lambda-powertools/tracer')).Tracer({
      serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'registry-webhooks',
      captureHTTPsRequests: false,
    })
  : undefined;

/** Records `client`'s calls as subsegments when tracing is on; returns it unchanged either way. */
export function captureClient<T>(client: T): T {
  return tracer ? tracer.captureAWSv3Client(client) : client;
}

/**
 * Runs `work` in a subsegment named `name` with searchable annotations (ids only: never a
 * secret, a URL or a payload). Concurrent calls each get their own subsegment (the X-Ray SDK
 * keeps the current segment per async context). Without tracing it just runs `work`.
 */
export async function traced<T>(name: string, annotations: Readonly<Record<string, string | number>>, work: () => Promise<T>): Promise<T> {
  if (!tracer?.isTracingEnabled() || tracer.getSegment() === undefined) return work();
  return tracer.provider.captureAsyncFunc(name, async (subsegment?: Subsegment) => {
    for (const [key, value] of Object.entries(annotations)) subsegment?.addAnnotation(key, value);
    try {
      return await work();
    } catch (error) {
      subsegment?.addError(error as Error);
      throw error;
    } finally {
      subsegment?.close();
    }
  }) as Promise<T>;
}
