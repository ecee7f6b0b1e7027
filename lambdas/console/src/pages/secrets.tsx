/**
 * Secrets: names with dates; create or replace with a write-only value field (the API never
 * returns a value, and the field is cleared once sent); delete, with the API's 409 shown when
 * a webhook still uses the secret.
 */
import { useState } from 'preact/hooks';
import { enc } from '../api';
import type { Session } from '../main';
import { ErrorBanner, Field, useAction, useLoad, When } from '../ui';

interface SecretInfo {
  name: string;
  createdAt: string;
  updatedAt: string;
}

export function SecretsPage({ session }: { session: Session }) {
  const list = useLoad(() => session.api.get<{ items: SecretInfo[] }>(`${session.team}/secrets`), [session]);
  const [name, setName] = useState('');
  const [value, setValue] = useState('');
  const save = useAction();
  const remove = useAction();
  const [notice, setNotice] = useState('');

  const submit = async (event: Event) => {
    event.preventDefault();
    setNotice('');
    const saved = await save.run(() => session.api.call<SecretInfo>('PUT', `${session.team}/secrets/${enc(name)}`, { value }));
    if (saved) {
      setValue('');
      setNotice(`Secret ${saved.name} saved.`);
      list.reload();
    }
  };

  return (
    <section>
      <h1>Secrets</h1>
      <p class="muted">Values are write-only: nothing in the API or the console ever shows one.</p>
      <ErrorBanner error={list.error} />
      <ErrorBanner error={remove.error} />
      <table>
        <caption>Secrets of team {session.me.team}</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Created</th>
            <th scope="col">Updated</th>
            {session.canWrite && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {list.data?.items.map((secret) => (
            <tr key={secret.name}>
              <td>
                <code>{secret.name}</code>
              </td>
              <td>
                <When at={secret.createdAt} />
              </td>
              <td>
                <When at={secret.updatedAt} />
              </td>
              {session.canWrite && (
                <td>
                  <button type="button" class="secondary" onClick={() => setName(secret.name)} aria-label={`Replace ${secret.name}`}>
                    Replace
                  </button>{' '}
                  <button
                    type="button"
                    class="danger"
                    aria-label={`Delete ${secret.name}`}
                    onClick={async () => {
                      if (!confirm(`Delete secret ${secret.name}?`)) return;
                      await remove.run(() => session.api.call('DELETE', `${session.team}/secrets/${enc(secret.name)}`));
                      list.reload();
                    }}
                  >
                    Delete
                  </button>
                </td>
              )}
            </tr>
          ))}
          {list.data?.items.length === 0 && (
            <tr>
              <td colSpan={4} class="muted">
                No secrets yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>

      {session.canWrite && (
        <form onSubmit={submit} class="card" aria-label="Create or replace a secret">
          <h2>Create or replace a secret</h2>
          <Field label="Secret name" field="name" error={save.error} hint="Letters, digits and _; saving an existing name replaces its value.">
            <input value={name} onInput={(event) => setName(event.currentTarget.value)} required pattern="[A-Za-z0-9_]{1,64}" />
          </Field>
          <Field label="Secret value" field="value" error={save.error}>
            <input type="password" autocomplete="new-password" value={value} onInput={(event) => setValue(event.currentTarget.value)} required />
          </Field>
          <ErrorBanner error={save.error} fields={['name', 'value']} />
          <button type="submit" disabled={save.busy}>
            Save secret
          </button>
          {notice && <p role="status">{notice}</p>}
        </form>
      )}
    </section>
  );
}
