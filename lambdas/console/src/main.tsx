/**
 * The console's entry point: sign in with an API key (`GET /me`), then the four pages. The
 * API's base URL comes from `config.json` beside index.html (empty: this same origin, as in
 * local mode; deployed: the stack writes the API's stage URL there).
 */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Api, ApiError, type Me } from './api';
import { AutomationsPage } from './pages/automations';
import { DeliveriesPage } from './pages/deliveries';
import { SecretsPage } from './pages/secrets';
import { WebhooksPage } from './pages/webhooks';
import { href, useRoute } from './router';
import { forgetKey, storedKey, storeKey } from './session';

/** What every page gets: the API client, who is signed in, and whether it may write. */
export interface Session {
  api: Api;
  me: Me;
  /** Admins write; members read only (the console renders no write control for them). */
  canWrite: boolean;
  /** `/teams/<team>` */
  team: string;
}

async function loadApiUrl(): Promise<string> {
  const response = await fetch('config.json', { cache: 'no-store' });
  if (!response.ok) return '';
  const config = (await response.json()) as { apiUrl?: string };
  return (config.apiUrl ?? '').replace(/\/+$/, '');
}

async function signIn(apiUrl: string, key: string): Promise<Session> {
  const api = new Api(apiUrl, key);
  const me = await api.get<Me>('/me');
  if (me.role === 'registry') {
    throw new ApiError(403, 'REGISTRY_KEY', 'This is a registry key: it may only report events, and cannot use the console. Sign in with an admin or member key of your team.');
  }
  return { api, me, canWrite: me.role === 'admin', team: `/teams/${encodeURIComponent(me.team)}` };
}

function SignIn(props: { onKey: (key: string) => void; error: unknown; busy: boolean }) {
  const [key, setKey] = useState('');
  return (
    <main class="signin">
      <h1>Registry Webhooks</h1>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          props.onKey(key.trim());
        }}
      >
        <div class="field">
          <label class="label" for="api-key">
            API key
          </label>
          <input id="api-key" type="password" autocomplete="off" spellcheck={false} value={key} onInput={(event) => setKey(event.currentTarget.value)} required />
        </div>
        <button type="submit" disabled={props.busy}>
          Sign in
        </button>
        {props.error !== undefined && (
          <p class="error" role="alert">
            {props.error instanceof ApiError && props.error.status === 401 ? 'Unknown API key.' : props.error instanceof Error ? props.error.message : String(props.error)}
          </p>
        )}
      </form>
      <p class="muted">The key stays in this tab only (session storage) and is sent to the API alone.</p>
    </main>
  );
}

const PAGES = [
  ['secrets', 'Secrets'],
  ['webhooks', 'Webhooks'],
  ['automations', 'Automations'],
  ['deliveries', 'Deliveries'],
] as const;

function Shell({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const [page = 'deliveries', ...rest] = useRoute();
  return (
    <>
      <header>
        <strong>Registry Webhooks</strong>
        <nav aria-label="Main">
          {PAGES.map(([id, label]) => (
            <a href={href(id)} aria-current={page === id ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <span class="who">
          team <b>{session.me.team}</b> · {session.me.role}
          {!session.canWrite && ' (read-only)'}
        </span>
        <button type="button" class="secondary" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main>
        {page === 'secrets' && <SecretsPage session={session} />}
        {page === 'webhooks' && <WebhooksPage session={session} id={rest[0]} />}
        {page === 'automations' && <AutomationsPage session={session} id={rest[0]} />}
        {page === 'deliveries' && <DeliveriesPage session={session} id={rest[0]} />}
        {!PAGES.some(([id]) => id === page) && <p>No such page.</p>}
      </main>
    </>
  );
}

function App() {
  const [session, setSession] = useState<Session | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(true);

  const start = async (key: string, remember: boolean) => {
    setBusy(true);
    setError(undefined);
    try {
      const made = await signIn(await loadApiUrl(), key);
      if (remember) storeKey(key);
      setSession(made);
    } catch (caught) {
      forgetKey();
      setError(caught);
    } finally {
      setBusy(false);
    }
  };

  useEffect(() => {
    const key = storedKey();
    if (key) void start(key, false);
    else setBusy(false);
  }, []);

  if (!session) return <SignIn onKey={(key) => void start(key, true)} error={error} busy={busy} />;
  return (
    <Shell
      session={session}
      onSignOut={() => {
        forgetKey();
        setSession(null);
        location.hash = '';
      }}
    />
  );
}

render(<App />, document.getElementById('app')!);
