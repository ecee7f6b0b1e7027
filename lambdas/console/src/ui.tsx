/**
 * Small building blocks shared by the pages: labelled fields that show the API's errors for
 * the field they name, an error banner, a loader hook, and dates. All text is rendered by
 * Preact as text nodes (never as HTML), so a receiver's answer or an event field holding
 * markup shows as the characters it is.
 */
import { cloneElement, type VNode } from 'preact';
import { useCallback, useEffect, useId, useState } from 'preact/hooks';
import { ApiError } from './api';

/**
 * A label, its one control and the messages the last API error has for `field`. The label
 * points at the control by id (not by wrapping it), so the control's accessible name is the
 * label's text alone, never the label plus a select's current option.
 */
export function Field(props: { label: string; field?: string; error?: unknown; hint?: string; children: VNode<any> }) {
  const id = useId();
  const messages = props.field && props.error instanceof ApiError ? props.error.forField(props.field) : [];
  return (
    <div class={messages.length ? 'field invalid' : 'field'}>
      <label class="label" for={id}>
        {props.label}
      </label>
      {cloneElement(props.children, { id })}
      {props.hint && <small class="hint">{props.hint}</small>}
      {messages.map((message) => (
        <small class="field-error" role="alert">
          {message}
        </small>
      ))}
    </div>
  );
}

/** An error's message, unless each of its details is shown at a field of `fields`. */
export function ErrorBanner({ error, fields = [] }: { error: unknown; fields?: string[] }) {
  if (!error) return null;
  if (error instanceof ApiError) {
    const shown = error.details.length > 0 && error.details.every((detail) => fields.some((field) => detail.field === field || detail.field?.startsWith(`${field}.`)));
    if (shown && error.code === 'VALIDATION_FAILED') return <p class="error" role="alert">Please fix the fields marked below.</p>;
    return (
      <p class="error" role="alert">
        {error.status ? `${error.status} ${error.code}: ` : ''}
        {error.message}
      </p>
    );
  }
  return (
    <p class="error" role="alert">
      {String(error)}
    </p>
  );
}

/** Loads with `load` when `deps` change; `reload` runs it again. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]) {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const run = useCallback(() => {
    setState((previous) => ({ ...previous, loading: true }));
    load().then(
      (data) => setState({ data, loading: false }),
      (error) => setState({ error, loading: false }),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  useEffect(run, [run]);
  return { ...state, reload: run };
}

/** A timestamp as the reader's local date and time, the ISO value in its title. */
export function When({ at }: { at: string | null | undefined }) {
  if (!at) return <span class="muted">—</span>;
  return <time dateTime={at} title={at}>{new Date(at).toLocaleString()}</time>;
}

/** Runs an async action with a busy flag and its error. */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const run = useCallback(async <T,>(action: () => Promise<T>): Promise<T | undefined> => {
    setBusy(true);
    setError(undefined);
    try {
      return await action();
    } catch (caught) {
      setError(caught);
      return undefined;
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, run, setError };
}

/**
 * The "Delete" card of a webhook's or an automation's page: asks first, deletes, then goes
 * back to the list; a refusal shows under the button.
 */
export function DeleteCard({ kind, name, remove, onDeleted }: { kind: 'webhook' | 'automation'; name: string; remove: () => Promise<unknown>; onDeleted: () => void }) {
  const action = useAction();
  return (
    <div class="card">
      <h2>Delete</h2>
      <button
        type="button"
        class="danger"
        disabled={action.busy}
        onClick={async () => {
          if (!confirm(`Delete ${kind} ${name}?`)) return;
          const done = await action.run(async () => (await remove(), true));
          if (done) onDeleted();
        }}
      >
        {`Delete ${kind}`}
      </button>
      <ErrorBanner error={action.error} />
    </div>
  );
}
