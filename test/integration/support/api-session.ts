/**
 * Shared pieces of the management API tests: a client bound to one key that keeps every
 * answer (for "no secret in any answer" checks), the error-shape assertion, and a registry
 * event factory.
 */
import { sampleEvent } from '../../../lambdas/domain/template';
import { call, type ApiAnswer } from './http';

/** A client for one key. `answers` collects every answer of every client sharing the array. */
export interface Client {
  readonly key: string | undefined;
  get<T = any>(path: string): Promise<ApiAnswer<T>>;
  delete<T = any>(path: string): Promise<ApiAnswer<T>>;
  post<T = any>(path: string, body?: unknown): Promise<ApiAnswer<T>>;
  put<T = any>(path: string, body?: unknown): Promise<ApiAnswer<T>>;
  patch<T = any>(path: string, body?: unknown): Promise<ApiAnswer<T>>;
  /** Any request, with the raw options of `call`. */
  send<T = any>(method: string, path: string, options?: { body?: unknown; rawBody?: string; contentType?: string }): Promise<ApiAnswer<T>>;
}

/** A client calling `baseUrl` with `key` (none: unauthenticated). */
export function client(baseUrl: string, key: string | undefined, answers: ApiAnswer[] = []): Client {
  const send = async <T>(method: string, path: string, options: { body?: unknown; rawBody?: string; contentType?: string } = {}) => {
    const answer = await call<T>(baseUrl, method, path, { key, ...options });
    answers.push(answer);
    return answer;
  };
  return {
    key,
    send,
    get: (path) => send('GET', path),
    delete: (path) => send('DELETE', path),
    post: (path, body) => send('POST', path, { body }),
    put: (path, body) => send('PUT', path, { body }),
    patch: (path, body) => send('PATCH', path, { body }),
  };
}

/** Upper snake case, as api.md requires of every error code. */
export const ERROR_CODE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;

/**
 * Asserts the api.md error answer: the status, `{"error": {"code", "message"}}` with an upper
 * snake case code (and `code` itself when given), and an optional `details` array.
 */
export function expectError(answer: ApiAnswer, status: number, code?: string): void {
  const where = `answer ${answer.status} ${answer.text.slice(0, 300)}`;
  expect({ where, status: answer.status }).toEqual({ where, status });
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  expect(answer.body).toEqual({
    error: expect.objectContaining({ code: expect.stringMatching(ERROR_CODE), message: expect.any(String) }),
  });
  expect(answer.body.error.message.length).toBeGreaterThan(0);
  if (answer.body.error.details !== undefined) expect(Array.isArray(answer.body.error.details)).toBe(true);
  if (code !== undefined) expect({ where, code: answer.body.error.code }).toEqual({ where, code });
}

/** A registry event report (api.md, "Events"), with overrides. */
export function registryEvent(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const sample = sampleEvent();
  return { ...sample, id, artifact: { ...sample.artifact, metadata: { accuracy: 0.93, framework: 'pytorch' } }, alias: null, ...overrides };
}

/** A unique-enough suffix for names within one test run. */
export function unique(prefix: string): string {
  return `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
}
