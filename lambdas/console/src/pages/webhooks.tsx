/**
 * Webhooks: the list with each endpoint's health (enabled, disabled and why, failing since);
 * a webhook's page to edit it (URL, secret, access token, headers, rate limit), **Send test**
 * (status, duration and the answer's first bytes), disable / re-enable, and recover a window
 * of failed or skipped deliveries. `id === 'new'` is the create form.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError, enc } from '../api';
import type { Session } from '../main';
import { go, href, hrefWithQuery } from '../router';
import { DeleteCard, ErrorBanner, Field, useAction, useLoad, When } from '../ui';

/** A webhook as the API returns it. */
export interface Webhook {
  id: string;
  name: string;
  url: string;
  secret: string | null;
  accessToken: string | null;
  enabled: boolean;
  disabledReason: string | null;
  disabledAt: string | null;
  failingSince: string | null;
  rateLimit: number | null;
  headers?: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

interface TestResult {
  ok: boolean;
  status: number | null;
  durationMs: number;
  responseBody?: string;
  error?: string;
}

/** How many characters of a test answer the page shows (the API keeps the first 8 KiB). */
const ANSWER_PREVIEW_CHARS = 2000;

export function WebhooksPage({ session, id }: { session: Session; id?: string }) {
  if (id === 'new' && session.canWrite) return <WebhookForm session={session} />;
  if (id) return <WebhookDetail session={session} id={id} />;
  return <WebhookList session={session} />;
}

/** The health column: what a reader must know about an endpoint at a glance. */
export function Health({ webhook }: { webhook: Webhook }) {
  if (!webhook.enabled) {
    return (
      <span class="badge bad">
        disabled{webhook.disabledReason ? `: ${webhook.disabledReason}` : ''} {webhook.disabledAt && <>(<When at={webhook.disabledAt} />)</>}
      </span>
    );
  }
  if (webhook.failingSince) {
    return (
      <span class="badge warn">
        enabled, failing since <When at={webhook.failingSince} />
      </span>
    );
  }
  return <span class="badge good">enabled</span>;
}

function WebhookList({ session }: { session: Session }) {
  const list = useLoad(() => session.api.get<{ items: Webhook[] }>(`${session.team}/webhooks`), [session]);
  return (
    <section>
      <h1>Webhooks</h1>
      {session.canWrite && (
        <p>
          <a class="button" href={href('webhooks', 'new')}>
            New webhook
          </a>
        </p>
      )}
      <ErrorBanner error={list.error} />
      <table>
        <caption>Webhooks of team {session.me.team}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">URL</th>
            <th scope="col">Health</th>
            <th scope="col">Rate limit</th>
            <th scope="col">Updated</th>
          </tr>
        </thead>
        <tbody>
          {list.data?.items.map((webhook) => (
            <tr key={webhook.id}>
              <td>
                <a href={href('webhooks', webhook.id)}>{webhook.name}</a>
              </td>
              <td>
                <code>{webhook.url}</code>
              </td>
              <td>
                <Health webhook={webhook} />
              </td>
              <td>{webhook.rateLimit ?? 'none'}</td>
              <td>
                <When at={webhook.updatedAt} />
              </td>
            </tr>
          ))}
          {list.data?.items.length === 0 && (
            <tr>
              <td colSpan={5} class="muted">
                No webhooks yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}

/** `Name: value` lines ⇄ a headers object. */
function headersToText(headers: Record<string, string> | undefined): string {
  return Object.entries(headers ?? {})
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n');
}

function textToHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const colon = line.indexOf(':');
    // A line without a colon goes to the API as a name with an empty value, and its refusal names it.
    if (colon < 0) headers[line.trim()] = '';
    else headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}

const WEBHOOK_FIELDS = ['name', 'url', 'secret', 'accessToken', 'headers', 'rateLimit'];

function WebhookForm({ session, webhook, onSaved }: { session: Session; webhook?: Webhook; onSaved?: (saved: Webhook) => void }) {
  const secrets = useLoad(() => session.api.get<{ items: Array<{ name: string }> }>(`${session.team}/secrets`), [session]);
  const [name, setName] = useState(webhook?.name ?? '');
  const [url, setUrl] = useState(webhook?.url ?? '');
  const [secret, setSecret] = useState(webhook?.secret ?? '');
  const [accessToken, setAccessToken] = useState(webhook?.accessToken ?? '');
  const [headers, setHeaders] = useState(headersToText(webhook?.headers));
  const [rateLimit, setRateLimit] = useState(webhook?.rateLimit?.toString() ?? '');
  const save = useAction();

  const submit = async (event: Event) => {
    event.preventDefault();
    const body: Record<string, unknown> = {
      name,
      url,
      secret: secret || null,
      accessToken: accessToken || null,
      rateLimit: rateLimit.trim() === '' ? null : Number(rateLimit),
    };
    // `headers` goes only when there are some, or when the webhook had some (to clear them):
    // an API without the field then still takes every other change.
    const parsedHeaders = textToHeaders(headers);
    if (Object.keys(parsedHeaders).length > 0 || (webhook?.headers && Object.keys(webhook.headers).length > 0)) body.headers = parsedHeaders;
    if (!webhook) {
      for (const optional of ['secret', 'accessToken', 'rateLimit']) if (body[optional] === null) delete body[optional];
    }
    const saved = await save.run(() =>
      webhook ? session.api.call<Webhook>('PATCH', `${session.team}/webhooks/${enc(webhook.id)}`, body) : session.api.call<Webhook>('POST', `${session.team}/webhooks`, body),
    );
    if (saved) {
      if (onSaved) onSaved(saved);
      else go('webhooks', saved.id);
    }
  };

  const secretNames = secrets.data?.items.map((item) => item.name) ?? [];
  const secretSelect = (label: string, field: string, value: string, set: (value: string) => void, hint: string) => (
    <Field label={label} field={field} error={save.error} hint={hint}>
      <select value={value} onChange={(event) => set(event.currentTarget.value)}>
        <option value="">none</option>
        {[...new Set([...secretNames, ...(value ? [value] : [])])].map((secretName) => (
          <option value={secretName}>{secretName}</option>
        ))}
      </select>
    </Field>
  );

  return (
    <form onSubmit={submit} class="card" aria-label={webhook ? 'Edit webhook' : 'New webhook'}>
      <h2>{webhook ? 'Edit webhook' : 'New webhook'}</h2>
      <Field label="Name" field="name" error={save.error}>
        <input value={name} onInput={(event) => setName(event.currentTarget.value)} required />
      </Field>
      <Field label="URL" field="url" error={save.error} hint="HTTPS, a public host name.">
        <input type="url" value={url} onInput={(event) => setUrl(event.currentTarget.value)} required />
      </Field>
      {secretSelect('Signing secret', 'secret', secret, setSecret, 'Signs each POST (X-Wandb-Signature and Standard Webhooks headers).')}
      {secretSelect('Access token', 'accessToken', accessToken, setAccessToken, 'Sent as Authorization: Bearer <value>.')}
      <Field label="Headers" field="headers" error={save.error} hint="One per line, Name: value. Values are not secret: they are shown to every member.">
        <textarea rows={3} value={headers} onInput={(event) => setHeaders(event.currentTarget.value)} spellcheck={false} />
      </Field>
      <Field label="Rate limit (attempts per second)" field="rateLimit" error={save.error} hint="Empty: no limit.">
        <input type="number" min={1} max={10000} value={rateLimit} onInput={(event) => setRateLimit(event.currentTarget.value)} />
      </Field>
      <ErrorBanner error={save.error} fields={WEBHOOK_FIELDS} />
      <button type="submit" disabled={save.busy}>
        {webhook ? 'Save webhook' : 'Create webhook'}
      </button>
    </form>
  );
}

function WebhookDetail({ session, id }: { session: Session; id: string }) {
  const loaded = useLoad(() => session.api.get<Webhook>(`${session.team}/webhooks/${enc(id)}`), [session, id]);
  const [webhook, setWebhook] = useState<Webhook | undefined>(undefined);
  useEffect(() => setWebhook(loaded.data), [loaded.data]);
  const test = useAction();
  const [testResult, setTestResult] = useState<TestResult | undefined>(undefined);
  const toggle = useAction();

  if (loaded.error) return <ErrorBanner error={loaded.error} />;
  if (!webhook) return <p aria-busy="true">Loading…</p>;

  const setEnabled = async (enabled: boolean) => {
    const saved = await toggle.run(() => session.api.call<Webhook>('PATCH', `${session.team}/webhooks/${enc(webhook.id)}`, { enabled }));
    if (saved) setWebhook(saved);
  };

  return (
    <section>
      <p>
        <a href={href('webhooks')}>← Webhooks</a>
      </p>
      <h1>Webhook {webhook.name}</h1>
      <dl class="facts">
        <dt>Id</dt>
        <dd>
          <code>{webhook.id}</code>
        </dd>
        <dt>URL</dt>
        <dd>
          <code>{webhook.url}</code>
        </dd>
        <dt>Health</dt>
        <dd>
          <Health webhook={webhook} />
        </dd>
        <dt>Signing secret</dt>
        <dd>{webhook.secret ?? 'none'}</dd>
        <dt>Access token</dt>
        <dd>{webhook.accessToken ?? 'none'}</dd>
        <dt>Headers</dt>
        <dd>{webhook.headers && Object.keys(webhook.headers).length ? <pre>{headersToText(webhook.headers)}</pre> : 'none'}</dd>
        <dt>Rate limit</dt>
        <dd>{webhook.rateLimit ? `${webhook.rateLimit} per second` : 'none'}</dd>
        <dt>Deliveries</dt>
        <dd>
          <a href={hrefWithQuery(['deliveries'], { webhookId: webhook.id })}>this webhook's deliveries</a>
        </dd>
      </dl>

      {session.canWrite && (
        <>
          <div class="card">
            <h2>Test</h2>
            <p class="muted">Sends a sample event's default payload, signed exactly as a real delivery; stored nowhere.</p>
            <button
              type="button"
              disabled={test.busy}
              onClick={async () => {
                setTestResult(undefined);
                const result = await test.run(() => session.api.call<TestResult>('POST', `${session.team}/webhooks/${enc(webhook.id)}/test`, {}));
                if (result) setTestResult(result);
              }}
            >
              Send test
            </button>
            <ErrorBanner error={test.error} />
            {testResult && (
              <div class="test-result" role="status" aria-label="Test result">
                <p>
                  <span class={testResult.ok ? 'badge good' : 'badge bad'}>{testResult.ok ? 'delivered' : 'not delivered'}</span> Status{' '}
                  <b>{testResult.status ?? 'none'}</b> · {Math.round(testResult.durationMs)} ms
                </p>
                {testResult.error && <p class="error">{testResult.error}</p>}
                <pre class="answer" aria-label="Answer">
                  {(testResult.responseBody ?? '').slice(0, ANSWER_PREVIEW_CHARS)}
                </pre>
              </div>
            )}
          </div>

          <div class="card">
            <h2>Enable</h2>
            {webhook.enabled ? (
              <button type="button" class="secondary" disabled={toggle.busy} onClick={() => setEnabled(false)}>
                Disable
              </button>
            ) : (
              <button type="button" disabled={toggle.busy} onClick={() => setEnabled(true)}>
                Re-enable
              </button>
            )}
            <ErrorBanner error={toggle.error} />
          </div>

          <RecoverForm session={session} webhook={webhook} />

          <WebhookForm key={webhook.updatedAt} session={session} webhook={webhook} onSaved={setWebhook} />

          <DeleteCard kind="webhook" name={webhook.name} remove={() => session.api.call('DELETE', `${session.team}/webhooks/${enc(webhook.id)}`)} onDeleted={() => go('webhooks')} />
        </>
      )}
    </section>
  );
}

/** `datetime-local` value (the reader's time zone) → ISO; empty → undefined. */
function localToIso(value: string): string | undefined {
  return value ? new Date(value).toISOString() : undefined;
}

function RecoverForm({ session, webhook }: { session: Session; webhook: Webhook }) {
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const recover = useAction();
  const [count, setCount] = useState<number | undefined>(undefined);
  return (
    <form
      class="card"
      aria-label="Recover"
      onSubmit={async (event) => {
        event.preventDefault();
        setCount(undefined);
        const body: Record<string, string> = {};
        const sinceIso = localToIso(since);
        const untilIso = localToIso(until);
        if (sinceIso) body.since = sinceIso;
        if (untilIso) body.until = untilIso;
        const answer = await recover.run(() => session.api.call<{ redelivered: number }>('POST', `${session.team}/webhooks/${enc(webhook.id)}/recover`, body));
        if (answer) setCount(answer.redelivered);
      }}
    >
      <h2>Recover</h2>
      <p class="muted">Redelivers every failed or skipped delivery of this webhook created in the window (at most 30 days).</p>
      <Field label="Since" field="since" error={recover.error}>
        <input type="datetime-local" value={since} onInput={(event) => setSince(event.currentTarget.value)} required />
      </Field>
      <Field label="Until" field="until" error={recover.error} hint="Empty: now.">
        <input type="datetime-local" value={until} onInput={(event) => setUntil(event.currentTarget.value)} />
      </Field>
      <ErrorBanner error={recover.error} fields={['since', 'until']} />
      <button type="submit" disabled={recover.busy}>
        Recover deliveries
      </button>
      {count !== undefined && <p role="status">{count} deliveries redelivered.</p>}
      {recover.error instanceof ApiError && recover.error.status === 409 && <p class="muted">Re-enable the webhook first.</p>}
    </form>
  );
}
