/**
 * Automations: the list (enable / disable in place); create and edit with an event-type
 * picker, registry and collection filters, the alias or tag pattern the type takes, and a JSON
 * payload editor that lists the template variables, starts from the payload examples, and
 * shows the API's validation errors at the field they name. `id === 'new'` is the create form.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { EVENT_CATALOG } from '../../../domain/event-types';
import { TEMPLATE_VARIABLES } from '../../../domain/template';
import { enc } from '../api';
import type { Session } from '../main';
import { go, href, hrefWithQuery } from '../router';
import { DeleteCard, ErrorBanner, Field, useAction, useLoad, When } from '../ui';
import type { Webhook } from './webhooks';

type EventType = keyof typeof EVENT_CATALOG;

/** An automation as the API returns it. */
interface Automation {
  id: string;
  name: string;
  description?: string;
  enabled: boolean;
  event: { type: EventType; project?: string; collection?: string; aliasPattern?: string; tagPattern?: string };
  action: { type: 'WEBHOOK'; webhookId: string; payload?: unknown };
  createdAt: string;
  updatedAt: string;
}

interface PayloadExample {
  id: string;
  name: string;
  description: string;
  payload: unknown;
}

const EVENT_TYPES = Object.keys(EVENT_CATALOG) as EventType[];

/** The variables the payload editor lists, with `${…}` as written in a template. */
const VARIABLES = [...TEMPLATE_VARIABLES, 'artifact_metadata.KEY', 'ACCESS_TOKEN', 'SECRET_NAME'];
const VARIABLE_NOTES: Record<string, string> = {
  'artifact_metadata.KEY': 'a top-level metadata key',
  ACCESS_TOKEN: "the webhook's access token",
  SECRET_NAME: "the webhook's signing secret, by its name (redacted in the log)",
};

export function AutomationsPage({ session, id }: { session: Session; id?: string }) {
  if (id === 'new' && session.canWrite) return <AutomationEditor session={session} />;
  if (id) return <AutomationDetail session={session} id={id} />;
  return <AutomationList session={session} />;
}

function describeFilter(automation: Automation): string {
  const { project, collection, aliasPattern, tagPattern } = automation.event;
  const parts = [project && `registry ${project}`, collection && `collection ${collection}`, aliasPattern && `alias /${aliasPattern}/`, tagPattern && `tag /${tagPattern}/`].filter(Boolean);
  return parts.length ? parts.join(', ') : 'every registry and collection';
}

function AutomationList({ session }: { session: Session }) {
  const list = useLoad(() => session.api.get<{ items: Automation[] }>(`${session.team}/automations`), [session]);
  const webhooks = useLoad(() => session.api.get<{ items: Webhook[] }>(`${session.team}/webhooks`), [session]);
  const toggle = useAction();
  const nameOf = (webhookId: string) => webhooks.data?.items.find((webhook) => webhook.id === webhookId)?.name ?? webhookId;
  return (
    <section>
      <h1>Automations</h1>
      {session.canWrite && (
        <p>
          <a class="button" href={href('automations', 'new')}>
            New automation
          </a>
        </p>
      )}
      <ErrorBanner error={list.error ?? toggle.error} />
      <table>
        <caption>Automations of team {session.me.team}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Event</th>
            <th scope="col">Filters</th>
            <th scope="col">Webhook</th>
            <th scope="col">State</th>
            <th scope="col">Updated</th>
          </tr>
        </thead>
        <tbody>
          {list.data?.items.map((automation) => (
            <tr key={automation.id}>
              <td>
                <a href={href('automations', automation.id)}>{automation.name}</a>
              </td>
              <td>
                <code>{automation.event.type}</code>
              </td>
              <td>{describeFilter(automation)}</td>
              <td>
                <a href={href('webhooks', automation.action.webhookId)}>{nameOf(automation.action.webhookId)}</a>
              </td>
              <td>
                <span class={automation.enabled ? 'badge good' : 'badge'}>{automation.enabled ? 'enabled' : 'disabled'}</span>{' '}
                {session.canWrite && (
                  <button
                    type="button"
                    class="secondary"
                    disabled={toggle.busy}
                    aria-label={`${automation.enabled ? 'Disable' : 'Enable'} ${automation.name}`}
                    onClick={async () => {
                      await toggle.run(() => session.api.call('PATCH', `${session.team}/automations/${enc(automation.id)}`, { enabled: !automation.enabled }));
                      list.reload();
                    }}
                  >
                    {automation.enabled ? 'Disable' : 'Enable'}
                  </button>
                )}
              </td>
              <td>
                <When at={automation.updatedAt} />
              </td>
            </tr>
          ))}
          {list.data?.items.length === 0 && (
            <tr>
              <td colSpan={6} class="muted">
                No automations yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}

function AutomationDetail({ session, id }: { session: Session; id: string }) {
  const loaded = useLoad(() => session.api.get<Automation>(`${session.team}/automations/${enc(id)}`), [session, id]);
  if (loaded.error) return <ErrorBanner error={loaded.error} />;
  if (!loaded.data) return <p aria-busy="true">Loading…</p>;
  const automation = loaded.data;
  if (session.canWrite) return <AutomationEditor key={automation.updatedAt} session={session} automation={automation} onSaved={loaded.reload} />;
  return (
    <section>
      <p>
        <a href={href('automations')}>← Automations</a>
      </p>
      <h1>Automation {automation.name}</h1>
      <dl class="facts">
        <dt>Id</dt>
        <dd>
          <code>{automation.id}</code>
        </dd>
        <dt>Description</dt>
        <dd>{automation.description || '—'}</dd>
        <dt>State</dt>
        <dd>{automation.enabled ? 'enabled' : 'disabled'}</dd>
        <dt>Event</dt>
        <dd>
          <code>{automation.event.type}</code>, {describeFilter(automation)}
        </dd>
        <dt>Webhook</dt>
        <dd>
          <a href={href('webhooks', automation.action.webhookId)}>{automation.action.webhookId}</a>
        </dd>
        <dt>Payload</dt>
        <dd>
          <pre>{automation.action.payload === undefined ? 'default (every variable)' : payloadText(automation.action.payload)}</pre>
        </dd>
        <dt>Deliveries</dt>
        <dd>
          <a href={hrefWithQuery(['deliveries'], { automationId: automation.id })}>this automation's deliveries</a>
        </dd>
      </dl>
    </section>
  );
}

/** A stored payload as editable text (a string payload already is JSON text). */
function payloadText(payload: unknown): string {
  if (payload === undefined || payload === null) return '';
  if (typeof payload === 'string') return payload;
  return JSON.stringify(payload, null, 2);
}

/** The fields the form shows errors at; an error naming any other field shows in the banner. */
const AUTOMATION_FIELDS = ['name', 'description', 'event.type', 'event.project', 'event.collection', 'event.aliasPattern', 'event.tagPattern', 'action.webhookId', 'action.payload'];

function AutomationEditor({ session, automation, onSaved }: { session: Session; automation?: Automation; onSaved?: () => void }) {
  const webhooks = useLoad(() => session.api.get<{ items: Webhook[] }>(`${session.team}/webhooks`), [session]);
  const examples = useLoad(() => session.api.get<{ items: PayloadExample[] }>(`${session.team}/payload-examples`), [session]);
  const [name, setName] = useState(automation?.name ?? '');
  const [description, setDescription] = useState(automation?.description ?? '');
  const [enabled, setEnabled] = useState(automation?.enabled ?? true);
  const [type, setType] = useState<EventType>(automation?.event.type ?? 'LINK_ARTIFACT');
  const [project, setProject] = useState(automation?.event.project ?? '');
  const [collection, setCollection] = useState(automation?.event.collection ?? '');
  const [pattern, setPattern] = useState(automation?.event.aliasPattern ?? automation?.event.tagPattern ?? '');
  const [webhookId, setWebhookId] = useState(automation?.action.webhookId ?? '');
  const [payload, setPayload] = useState(payloadText(automation?.action.payload));
  const [jsonProblem, setJsonProblem] = useState('');
  const editor = useRef<HTMLTextAreaElement>(null);
  const save = useAction();

  // A new automation goes to the first webhook unless one is picked.
  useEffect(() => {
    if (!webhookId && webhooks.data?.items[0]) setWebhookId(webhooks.data.items[0].id);
  }, [webhooks.data]);

  const carries = EVENT_CATALOG[type].carries;
  const patternField = carries === 'alias' ? 'event.aliasPattern' : 'event.tagPattern';

  const insertVariable = (variable: string) => {
    const area = editor.current;
    const text = `\${${variable}}`;
    if (!area) return setPayload(payload + text);
    const start = area.selectionStart;
    const next = payload.slice(0, start) + text + payload.slice(area.selectionEnd);
    setPayload(next);
    requestAnimationFrame(() => {
      area.focus();
      area.selectionStart = area.selectionEnd = start + text.length;
    });
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    setJsonProblem('');
    let actionPayload: unknown = undefined;
    if (payload.trim()) {
      try {
        actionPayload = JSON.parse(payload);
      } catch (error) {
        // Not JSON: shown here, and the API is not asked (it would refuse it the same way).
        setJsonProblem(`not JSON: ${(error as Error).message}`);
        return;
      }
    }
    const eventFilter: Record<string, string> = { type };
    if (project.trim()) eventFilter.project = project.trim();
    if (collection.trim()) eventFilter.collection = collection.trim();
    if (carries && pattern) eventFilter[carries === 'alias' ? 'aliasPattern' : 'tagPattern'] = pattern;
    const body: Record<string, unknown> = {
      name,
      description,
      enabled,
      event: eventFilter,
      action: { type: 'WEBHOOK', webhookId, ...(actionPayload === undefined ? {} : { payload: actionPayload }) },
    };
    const saved = await save.run(() =>
      automation
        ? session.api.call<Automation>('PATCH', `${session.team}/automations/${enc(automation.id)}`, body)
        : session.api.call<Automation>('POST', `${session.team}/automations`, body),
    );
    if (saved) {
      if (onSaved) onSaved();
      else go('automations', saved.id);
    }
  };

  return (
    <section>
      <p>
        <a href={href('automations')}>← Automations</a>
      </p>
      <h1>{automation ? `Automation ${automation.name}` : 'New automation'}</h1>
      {automation && (
        <p>
          <code>{automation.id}</code> · <a href={hrefWithQuery(['deliveries'], { automationId: automation.id })}>this automation's deliveries</a>
        </p>
      )}
      <form onSubmit={submit} class="card" aria-label={automation ? 'Edit automation' : 'New automation'}>
        <Field label="Name" field="name" error={save.error}>
          <input value={name} onInput={(event) => setName(event.currentTarget.value)} required />
        </Field>
        <Field label="Description" field="description" error={save.error}>
          <input value={description} onInput={(event) => setDescription(event.currentTarget.value)} />
        </Field>
        <div class="field">
          <label class="inline">
            <input type="checkbox" checked={enabled} onChange={(event) => setEnabled(event.currentTarget.checked)} /> Enabled
          </label>
        </div>
        <fieldset>
          <legend>When</legend>
          <Field label="Event type" field="event.type" error={save.error} hint={EVENT_CATALOG[type].description}>
            <select value={type} onChange={(event) => setType(event.currentTarget.value as EventType)}>
              {EVENT_TYPES.map((eventType) => (
                <option value={eventType}>
                  {eventType} — {EVENT_CATALOG[eventType].description}
                </option>
              ))}
            </select>
          </Field>
          <Field label="Registry (project)" field="event.project" error={save.error} hint="Empty: every registry of the team.">
            <input value={project} onInput={(event) => setProject(event.currentTarget.value)} />
          </Field>
          <Field label="Collection" field="event.collection" error={save.error} hint="The registered model's name. Empty: every model.">
            <input value={collection} onInput={(event) => setCollection(event.currentTarget.value)} />
          </Field>
          {carries && (
            <Field label={carries === 'alias' ? 'Alias pattern' : 'Tag pattern'} field={patternField} error={save.error} hint={`A regular expression the ${carries} must match. Empty: any.`}>
              <input value={pattern} onInput={(event) => setPattern(event.currentTarget.value)} spellcheck={false} />
            </Field>
          )}
        </fieldset>
        <fieldset>
          <legend>Then</legend>
          <Field label="Webhook" field="action.webhookId" error={save.error}>
            <select value={webhookId} onChange={(event) => setWebhookId(event.currentTarget.value)} required>
              {webhooks.data?.items.length === 0 && <option value="">no webhooks yet: create one first</option>}
              {webhooks.data?.items.map((webhook) => (
                <option value={webhook.id}>{webhook.name}</option>
              ))}
            </select>
          </Field>
          <Field label="Start from a payload example" hint="Replaces the payload below.">
            <select
              value=""
              onChange={(event) => {
                const chosen = examples.data?.items.find((example) => example.id === event.currentTarget.value);
                if (chosen) setPayload(payloadText(chosen.payload));
                event.currentTarget.value = '';
              }}
            >
              <option value="">choose an example…</option>
              {examples.data?.items.map((example) => (
                <option value={example.id} title={example.description}>
                  {example.name}
                </option>
              ))}
            </select>
          </Field>
          <div class="editor">
            <Field label="Payload (JSON)" field="action.payload" error={save.error} hint="Empty: a default payload holding every variable. String values may contain ${variable}.">
              <textarea ref={editor} rows={14} spellcheck={false} class="code" value={payload} onInput={(event) => setPayload(event.currentTarget.value)} />
            </Field>
            {jsonProblem && (
              <small class="field-error" role="alert">
                {jsonProblem}
              </small>
            )}
            <div class="variables" aria-label="Variables">
              <p class="label">Variables (click to insert)</p>
              <ul>
                {VARIABLES.map((variable) => (
                  <li>
                    <button type="button" class="link" onClick={() => insertVariable(variable)} title={VARIABLE_NOTES[variable] ?? ''}>
                      {`\${${variable}}`}
                    </button>
                    {VARIABLE_NOTES[variable] && <small class="muted"> {VARIABLE_NOTES[variable]}</small>}
                  </li>
                ))}
              </ul>
            </div>
          </div>
        </fieldset>
        <ErrorBanner error={save.error} fields={AUTOMATION_FIELDS} />
        <button type="submit" disabled={save.busy}>
          {automation ? 'Save automation' : 'Create automation'}
        </button>
      </form>
      {automation && (
        <DeleteCard kind="automation" name={automation.name} remove={() => session.api.call('DELETE', `${session.team}/automations/${enc(automation.id)}`)} onDeleted={() => go('automations')} />
      )}
    </section>
  );
}
