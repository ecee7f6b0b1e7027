/**
 * The console's only way to the API: `fetch` with the signed-in key as a bearer token. Every
 * answer that is not 2xx becomes an {@link ApiError} carrying the api.md error shape, so pages
 * can show a message and put each `details[].field` next to the form field it names.
 */

/** One problem of a 4xx answer, as api.md's error shape has it. */
export interface ErrorDetail {
  field?: string;
  message: string;
}

/** A refusal or failure from the API (or the network). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  /** The messages that name `field` (exactly, or a part below it such as `event.type`). */
  forField(field: string): string[] {
    const named = this.details.filter((detail) => detail.field === field || detail.field?.startsWith(`${field}.`));
    if (named.length > 0) return named.map((detail) => detail.message);
    // Refusals without details name their field at the start of the message (`url: …`).
    return this.details.length === 0 && this.message.startsWith(`${field}: `) ? [this.message.slice(field.length + 2)] : [];
  }
}

/** Who a key is (`GET /me`). */
export interface Me {
  team: string;
  role: 'admin' | 'member' | 'registry';
  keyId: string;
}

/** A client for one API base URL and one key. */
export class Api {
  constructor(
    private readonly baseUrl: string,
    private readonly key: string,
  ) {}

  /** Calls `method path` with an optional JSON body; resolves with the parsed answer (undefined for 204). */
  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { Authorization: `Bearer ${this.key}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        // The key travels in a header only; no cookies, no credentials of the browser's.
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch {
      throw new ApiError(0, 'NETWORK', 'the API could not be reached');
    }
    const text = await response.text();
    let parsed: unknown = undefined;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    if (!response.ok) {
      const error = (parsed as { error?: { code?: string; message?: string; details?: ErrorDetail[] } } | undefined)?.error;
      throw new ApiError(response.status, error?.code ?? `HTTP_${response.status}`, error?.message ?? `the API answered ${response.status}`, error?.details ?? []);
    }
    return parsed as T;
  }

  get<T>(path: string): Promise<T> {
    return this.call<T>('GET', path);
  }
}

/** `encodeURIComponent` for path segments and query values. */
export const enc = encodeURIComponent;
