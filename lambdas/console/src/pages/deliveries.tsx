/**
 * Deliveries (the automation history): a table filtered by status, automation, webhook and
 * event, paged with the API's cursor; a delivery's page with its payload as sent (secrets
 * redacted by the API), every attempt (time, status, duration, error, answer) and Redeliver.
 * The filters live in the hash (`#/deliveries?status=failed`), so a filtered view can be
 * linked to; the key never is.
 */
import { useEffect, useState } from 'preact/hooks';
import { enc } from '../api';
import type { Session } from '../main';
import { href, hrefWithQuery, useHashQuery } from '../router';
import { ErrorBanner, Field, useAction, useLoad, When } from '../ui';
import type { Webhook } from './webhooks';

type Status = 'pending' | 'retrying' | 'succeeded' | 'failed' | 'skipped';
const STATUSES: Status[] = ['pending', 'retrying', 'succeeded', 'failed', 'skipped'];

interface Attempt {
  number: number;
  at: string;
  status: number | null;
  durationMs: number;
  error?: string | null;
  responseBody?: string | null;
}

interface Delivery {
  id: string;
  eventId: string;
  automationId: string;
  webhookId: string;
  url: string;
  status: Status;
  payload: string;
  attempts: Attempt[];
  nextAttemptAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** Rows per page. */
const PAGE_SIZE = 25;
const FILTERS = ['status', 'automationId', 'webhookId', 'eventId'] as const;

export function DeliveriesPage({ session, id }: { session: Session; id?: string }) {
  return id ? <DeliveryDetail session={session} id={id} /> : <DeliveryList session={session} />;
}

function StatusBadge({ status }: { status: Status }) {
  const tone = status === 'succeeded' ? 'good' : status === 'failed' ? 'bad' : status === 'skipped' ? '' : 'warn';
  return <span class={`badge ${tone}`}>{status}</span>;
}

function DeliveryList({ session }: { session: Session }) {
  const query = useHashQuery();
  const filters = Object.fromEntries(FILTERS.map((name) => [name, query.get(name) ?? ''])) as Record<(typeof FILTERS)[number], string>;
  // Earlier pages' cursors, so "Previous page" can go back (the API pages forward only).
  const [cursors, setCursors] = useState<string[]>([]);
  const cursor = cursors[cursors.length - 1];
  const filterKey = FILTERS.map((name) => filters[name]).join('|');
  useEffect(() => setCursors([]), [filterKey]);
  const list = useLoad(() => {
    const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
    for (const name of FILTERS) if (filters[name]) params.set(name, filters[name]);
    if (cursor) params.set('cursor', cursor);
    return session.api.get<{ items: Delivery[]; nextCursor: string | null }>(`${session.team}/deliveries?${params}`);
  }, [session, filterKey, cursor]);
  const automations = useLoad(() => session.api.get<{ items: Array<{ id: string; name: string }> }>(`${session.team}/automations`), [session]);
  const webhooks = useLoad(() => session.api.get<{ items: Webhook[] }>(`${session.team}/webhooks`), [session]);
  const [eventId, setEventId] = useState(filters.eventId);
  useEffect(() => setEventId(filters.eventId), [filters.eventId]);

  const setFilter = (name: string, value: string) => {
    location.hash = hrefWithQuery(['deliveries'], { ...filters, [name]: value });
  };
  const automationName = (automationId: string) => automations.data?.items.find((item) => item.id === automationId)?.name ?? automationId;
  const webhookName = (webhookId: string) => webhooks.data?.items.find((item) => item.id === webhookId)?.name ?? webhookId;

  return (
    <section>
      <h1>Deliveries</h1>
      <form
        class="filters"
        aria-label="Filters"
        onSubmit={(event) => {
          event.preventDefault();
          setFilter('eventId', eventId.trim());
        }}
      >
        <Field label="Status">
          <select value={filters.status} onChange={(event) => setFilter('status', event.currentTarget.value)}>
            <option value="">any</option>
            {STATUSES.map((status) => (
              <option value={status}>{status}</option>
            ))}
          </select>
        </Field>
        <Field label="Automation">
          <select value={filters.automationId} onChange={(event) => setFilter('automationId', event.currentTarget.value)}>
            <option value="">any</option>
            {automations.data?.items.map((automation) => (
              <option value={automation.id}>{automation.name}</option>
            ))}
          </select>
        </Field>
        <Field label="Webhook">
          <select value={filters.webhookId} onChange={(event) => setFilter('webhookId', event.currentTarget.value)}>
            <option value="">any</option>
            {webhooks.data?.items.map((webhook) => (
              <option value={webhook.id}>{webhook.name}</option>
            ))}
          </select>
        </Field>
        <Field label="Event id">
          <input value={eventId} onInput={(event) => setEventId(event.currentTarget.value)} />
        </Field>
        <button type="submit" class="secondary">
          Filter
        </button>
        <button type="button" class="secondary" onClick={() => list.reload()}>
          Refresh
        </button>
      </form>
      <ErrorBanner error={list.error} />
      <table>
        <caption>Deliveries, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Delivery</th>
            <th scope="col">Status</th>
            <th scope="col">Event</th>
            <th scope="col">Automation</th>
            <th scope="col">Webhook</th>
            <th scope="col">Attempts</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {list.data?.items.map((delivery) => (
            <tr key={delivery.id}>
              <td>
                <a href={href('deliveries', delivery.id)}>{delivery.id}</a>
              </td>
              <td>
                <StatusBadge status={delivery.status} />
              </td>
              <td>
                <code>{delivery.eventId}</code>
              </td>
              <td>{automationName(delivery.automationId)}</td>
              <td>{webhookName(delivery.webhookId)}</td>
              <td>{delivery.attempts.length}</td>
              <td>
                <When at={delivery.createdAt} />
              </td>
            </tr>
          ))}
          {list.data?.items.length === 0 && (
            <tr>
              <td colSpan={7} class="muted">
                No deliveries{cursor ? ' on this page' : ''}.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <nav class="pager" aria-label="Pages">
        <button type="button" class="secondary" disabled={cursors.length === 0} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous page
        </button>
        <button type="button" class="secondary" disabled={!list.data?.nextCursor} onClick={() => list.data?.nextCursor && setCursors([...cursors, list.data.nextCursor])}>
          Next page
        </button>
      </nav>
    </section>
  );
}

/** The payload as sent, pretty-printed when it is JSON (it always is, but never trust it). */
function prettyPayload(payload: string): string {
  try {
    return JSON.stringify(JSON.parse(payload), null, 2);
  } catch {
    return payload;
  }
}

/** While a delivery is still moving, its page looks again this often. */
const REFRESH_MS = 1000;

function DeliveryDetail({ session, id }: { session: Session; id: string }) {
  const loaded = useLoad(() => session.api.get<Delivery>(`${session.team}/deliveries/${enc(id)}`), [session, id]);
  const redeliver = useAction();
  const [redelivered, setRedelivered] = useState(false);
  const delivery = loaded.data;
  const moving = delivery?.status === 'pending' || delivery?.status === 'retrying';
  useEffect(() => {
    if (!moving || loaded.loading) return;
    const timer = setTimeout(loaded.reload, REFRESH_MS);
    return () => clearTimeout(timer);
  }, [moving, loaded.loading, delivery?.updatedAt]);

  if (loaded.error) return <ErrorBanner error={loaded.error} />;
  if (!delivery) return <p aria-busy="true">Loading…</p>;
  return (
    <section>
      <p>
        <a href={href('deliveries')}>← Deliveries</a>
      </p>
      <h1>Delivery {delivery.id}</h1>
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={delivery.status} />
          {delivery.nextAttemptAt && (
            <>
              {' '}
              next attempt <When at={delivery.nextAttemptAt} />
            </>
          )}
        </dd>
        <dt>Event</dt>
        <dd>
          <a href={hrefWithQuery(['deliveries'], { eventId: delivery.eventId })}>
            <code>{delivery.eventId}</code>
          </a>
        </dd>
        <dt>Automation</dt>
        <dd>
          <a href={href('automations', delivery.automationId)}>{delivery.automationId}</a>
        </dd>
        <dt>Webhook</dt>
        <dd>
          <a href={href('webhooks', delivery.webhookId)}>{delivery.webhookId}</a> <code>{delivery.url}</code>
        </dd>
        <dt>Created</dt>
        <dd>
          <When at={delivery.createdAt} />
        </dd>
        <dt>Updated</dt>
        <dd>
          <When at={delivery.updatedAt} />
        </dd>
      </dl>
      {session.canWrite && (
        <div class="card">
          <button
            type="button"
            disabled={redeliver.busy}
            onClick={async () => {
              setRedelivered(false);
              const done = await redeliver.run(async () => (await session.api.call('POST', `${session.team}/deliveries/${enc(delivery.id)}/redeliver`), true));
              if (done) {
                setRedelivered(true);
                loaded.reload();
              }
            }}
          >
            Redeliver
          </button>
          {redelivered && <span role="status"> A new round of attempts has started.</span>}
          <ErrorBanner error={redeliver.error} />
        </div>
      )}
      <h2>Payload as sent</h2>
      <p class="muted">Secret values are redacted.</p>
      <pre class="payload" aria-label="Payload">
        {prettyPayload(delivery.payload)}
      </pre>
      <table>
        <caption>Attempts</caption>
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Time</th>
            <th scope="col">Status</th>
            <th scope="col">Duration</th>
            <th scope="col">Error</th>
            <th scope="col">Answer</th>
          </tr>
        </thead>
        <tbody>
          {delivery.attempts.map((attempt) => (
            <tr key={attempt.number}>
              <td>{attempt.number}</td>
              <td>
                <When at={attempt.at} />
              </td>
              <td>{attempt.status ?? 'none'}</td>
              <td>{Math.round(attempt.durationMs)} ms</td>
              <td>{attempt.error ?? ''}</td>
              <td>
                <pre class="answer">{attempt.responseBody ?? ''}</pre>
              </td>
            </tr>
          ))}
          {delivery.attempts.length === 0 && (
            <tr>
              <td colSpan={6} class="muted">
                No attempt yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
