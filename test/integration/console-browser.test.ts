/**
 * The web console in real headless Chromium (Debian's, driven by playwright-core) against
 * local mode, by the accessible names api.md's Console section gives:
 * - the README walkthrough through the console alone: sign in with the admin key, the two
 *   secrets, the webhook, Send test (the loopback receiver gets it), the automation from a
 *   payload example; the registry reports an event (API); the delivery shows `succeeded`
 *   in Deliveries; Redeliver makes a second attempt;
 * - a receiver's answer holding `<script>` and an event field holding HTML render as text,
 *   and no script of theirs runs;
 * - a member key sees everything and no write control, and the API refuses a write made from
 *   the page; a registry key is told it cannot use the console;
 * - the key stays in sessionStorage (never the URL, a cookie or localStorage), every request
 *   the page makes goes to its own origin, and the CSP admits no inline script.
 * It writes the screenshots of docs/console/ (shown in the README).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './support/browser';
import { call, waitFor } from './support/http';
import { removeDataDir, startLocalMode, type LocalModeProcess } from './support/local-mode';
import { startReceiver, type Receiver } from './support/receiver';

jest.setTimeout(180_000);

// The page's globals, as the page.evaluate callbacks below use them (this file is type-checked
// with Node's types, without the DOM library).
declare const window: { __injected?: string };
declare const document: { scripts: ArrayLike<{ src: string }>; cookie: string };
declare const sessionStorage: { readonly length: number; getItem(key: string): string | null };
declare const localStorage: { readonly length: number };

const SCREENSHOTS = path.resolve(__dirname, '../../docs/console');
const SIGNING_SECRET = 'whsec-console-walkthrough-3Kq9';
const ACCESS_TOKEN = 'ghp-console-walkthrough-token-5t6y';
/** What a hostile receiver answers, and what a hostile event carries. */
const SCRIPT_ANSWER = '<script>window.__injected = "answer"</script><img src="x" onerror="window.__injected = \'answer-img\'">';
const HTML_AUTHOR = '<img src="x" onerror="window.__injected = \'event\'"><b>alice</b>';

let local: LocalModeProcess;
let receiver: Receiver;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Every URL the browser asked for. */
const requested: string[] = [];
/** Script errors in the page (none expected). */
const pageErrors: string[] = [];

beforeAll(async () => {
  // The browser first: without it there is nothing to test, and the message says so.
  browser = await launchChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
  receiver = await startReceiver();
  local = await startLocalMode({ env: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1' } });
});

afterAll(async () => {
  await browser?.close();
  await local?.stop();
  await receiver?.close();
  if (local) removeDataDir(local.dataDir);
});

async function newPage(): Promise<Page> {
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const opened = await context.newPage();
  opened.on('request', (request) => requested.push(request.url()));
  opened.on('pageerror', (error) => pageErrors.push(error.message));
  return opened;
}

async function signIn(key: string): Promise<void> {
  await page.goto(`${local.baseUrl}/console/`);
  await page.getByLabel('API key', { exact: true }).fill(key);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

async function nav(name: 'Secrets' | 'Webhooks' | 'Automations' | 'Deliveries'): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();
  await page.getByRole('heading', { level: 1, name, exact: true }).waitFor();
}

async function screenshot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Nothing a receiver or an event carried has run as script. */
async function expectNoInjectedScript(): Promise<void> {
  expect(await page.evaluate(() => window.__injected ?? null)).toBeNull();
  // The console's own module is the only script element.
  expect(await page.evaluate(() => Array.from(document.scripts).map((script) => new URL(script.src).pathname))).toEqual(['/console/console.js']);
}

describe('as an admin: the README walkthrough through the console alone', () => {
  let webhookId: string;
  let deliveryId: string;

  beforeAll(async () => {
    page = await newPage();
  });

  test('the console is served with a strict CSP, and signs in with the admin key kept in sessionStorage only', async () => {
    // Printed at start beside the API URL.
    expect(local.output()).toContain(`  Console:       ${local.baseUrl}/console/\n`);
    expect((await fetch(`${local.baseUrl}/console`, { redirect: 'manual' })).headers.get('location')).toBe('/console/');
    const answer = await fetch(`${local.baseUrl}/console/`);
    expect(answer.status).toBe(200);
    const csp = answer.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(await answer.text()).not.toMatch(/<script>|<script [^>]*>[^<]+<\/script>/);

    await page.goto(`${local.baseUrl}/console/`);
    await screenshot('sign-in');
    await signIn(local.adminKey);
    await page.getByText('team demo · admin').waitFor();
    expect(await page.evaluate(() => Object.values(sessionStorage))).toEqual([local.adminKey]);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    expect(await page.evaluate(() => document.cookie)).toBe('');
    expect(page.url()).not.toContain(local.adminKey);
  });

  test('creates the two secrets (write-only values)', async () => {
    await nav('Secrets');
    for (const [name, value] of [['HMAC_KEY', SIGNING_SECRET], ['GH_TOKEN', ACCESS_TOKEN]]) {
      await page.getByLabel('Secret name', { exact: true }).fill(name);
      await page.getByLabel('Secret value', { exact: true }).fill(value);
      await page.getByRole('button', { name: 'Save secret', exact: true }).click();
      await page.getByRole('status').filter({ hasText: `Secret ${name} saved.` }).waitFor();
      await page.getByRole('row').filter({ hasText: name }).waitFor();
      // The value field is emptied once sent, and no value is ever shown.
      expect(await page.getByLabel('Secret value', { exact: true }).inputValue()).toBe('');
    }
    expect(await page.content()).not.toContain(SIGNING_SECRET);
    const listed = await call(local.baseUrl, 'GET', '/teams/demo/secrets', { key: local.adminKey });
    expect(listed.body.items.map((item: { name: string }) => item.name).sort()).toEqual(['GH_TOKEN', 'HMAC_KEY']);
    await screenshot('secrets');
  });

  test('creates the webhook; Send test reaches the loopback receiver and shows its status', async () => {
    await nav('Webhooks');
    await page.getByRole('link', { name: 'New webhook', exact: true }).click();
    await page.getByLabel('Name', { exact: true }).fill('deploy-hook');
    await page.getByLabel('URL', { exact: true }).fill(`${receiver.url}/hooks/wandb`);
    await page.getByLabel('Signing secret', { exact: true }).selectOption('HMAC_KEY');
    await page.getByLabel('Access token', { exact: true }).selectOption('GH_TOKEN');
    await page.getByLabel('Rate limit (attempts per second)', { exact: true }).fill('5');
    await page.getByRole('button', { name: 'Create webhook', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Webhook deploy-hook' }).waitFor();
    webhookId = page.url().split('/').pop()!;
    const stored = await call(local.baseUrl, 'GET', `/teams/demo/webhooks/${webhookId}`, { key: local.adminKey });
    expect(stored.body).toMatchObject({ name: 'deploy-hook', secret: 'HMAC_KEY', accessToken: 'GH_TOKEN', rateLimit: 5, enabled: true });

    await page.getByRole('button', { name: 'Send test', exact: true }).click();
    const result = page.getByRole('status', { name: 'Test result' });
    await result.waitFor();
    expect(await result.innerText()).toMatch(/delivered\s+Status 200 · \d+ ms/);
    expect(await result.getByLabel('Answer', { exact: true }).innerText()).toBe('ok');
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0].headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(receiver.requests[0].headers['x-wandb-signature']).toBeTruthy();
    await screenshot('webhook');
  });

  test("a receiver's answer holding <script> shows as text, and runs nothing", async () => {
    receiver.script.push({ status: 200, body: SCRIPT_ANSWER, headers: { 'Content-Type': 'text/html' } });
    await page.getByRole('button', { name: 'Send test', exact: true }).click();
    const answer = page.getByRole('status', { name: 'Test result' }).getByLabel('Answer', { exact: true });
    await answer.filter({ hasText: '<script>' }).waitFor();
    expect(await answer.innerText()).toBe(SCRIPT_ANSWER);
    expect(await answer.locator('script, img').count()).toBe(0);
    await expectNoInjectedScript();
  });

  test('deleting a secret a webhook uses shows the API\'s 409, and keeps the secret', async () => {
    await nav('Secrets');
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete HMAC_KEY', exact: true }).click();
    const alert = page.getByRole('alert').filter({ hasText: '409 CONFLICT' });
    await alert.waitFor();
    await page.getByRole('row').filter({ hasText: 'HMAC_KEY' }).waitFor();
  });

  test('the webhook list shows its health', async () => {
    await nav('Webhooks');
    const row = page.getByRole('row').filter({ hasText: 'deploy-hook' });
    await row.getByText('enabled', { exact: true }).waitFor();
    await screenshot('webhooks');
  });

  test('creates the automation from a payload example, with the API refusing a bad variable at the payload field', async () => {
    await nav('Automations');
    await page.getByRole('link', { name: 'New automation', exact: true }).click();
    await page.getByLabel('Name', { exact: true }).fill('deploy-on-link');
    await page.getByLabel('Description', { exact: true }).fill('Kick off CI when a model version is linked');
    await page.getByLabel('Event type', { exact: true }).selectOption('LINK_ARTIFACT');
    await page.getByLabel('Collection', { exact: true }).fill('churn-model');
    await page.getByLabel('Webhook', { exact: true }).selectOption(webhookId);

    // An unknown variable: the API's 400 shows at the field it names.
    await page.getByLabel('Payload (JSON)', { exact: true }).fill('{"who": "${no_such_variable}"}');
    await page.getByRole('button', { name: 'Create automation', exact: true }).click();
    const fieldError = page.locator('.field.invalid').filter({ has: page.getByLabel('Payload (JSON)', { exact: true }) }).getByRole('alert');
    await fieldError.waitFor();
    expect(await fieldError.innerText()).toContain('no_such_variable');

    await page.getByLabel('Start from a payload example', { exact: true }).selectOption('github-repository-dispatch');
    const examples = await call(local.baseUrl, 'GET', '/teams/demo/payload-examples', { key: local.adminKey });
    const github = examples.body.items.find((item: { id: string }) => item.id === 'github-repository-dispatch');
    expect(JSON.parse(await page.getByLabel('Payload (JSON)', { exact: true }).inputValue())).toEqual(github.payload);
    // The editor lists the variables.
    for (const variable of ['${artifact_version_string}', '${event_author}', '${artifact_metadata.KEY}', '${ACCESS_TOKEN}']) {
      await page.getByRole('button', { name: variable, exact: true }).waitFor();
    }
    await screenshot('automation-editor');
    await page.getByRole('button', { name: 'Create automation', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Automation deploy-on-link' }).waitFor();

    const listed = await call(local.baseUrl, 'GET', '/teams/demo/automations', { key: local.adminKey });
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.items[0]).toMatchObject({ enabled: true, event: { type: 'LINK_ARTIFACT', collection: 'churn-model' }, action: { webhookId, payload: github.payload } });
    await nav('Automations');
    await page.getByRole('row').filter({ hasText: 'deploy-on-link' }).waitFor();
    await screenshot('automations');
  });

  test('the registry reports an event (API); Deliveries shows it succeeded', async () => {
    const reported = await call(local.baseUrl, 'POST', '/teams/demo/events', {
      key: local.registryKey,
      body: {
        id: 'evt-console-1', type: 'LINK_ARTIFACT', author: HTML_AUTHOR, entity: 'acme', project: 'model-registry',
        artifact: { collection: 'churn-model', version: 'wandb-artifact://_id/QXJ0aWZhY3Q6MTIz', versionString: 'acme/model-registry/churn-model:v3', metadata: { accuracy: 0.93 } },
        alias: 'production', tag: null,
      },
    });
    expect(reported.status).toBe(202);
    expect(reported.body.deliveries).toHaveLength(1);
    deliveryId = reported.body.deliveries[0].id;

    await nav('Deliveries');
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: deliveryId, exact: true }) });
    await waitFor(async () => {
      await page.getByRole('button', { name: 'Refresh', exact: true }).click();
      return (await row.getByText('succeeded', { exact: true }).count()) === 1 ? true : undefined;
    }, { what: 'the delivery to show succeeded in Deliveries' });
    await screenshot('deliveries');

    // Filtering by status keeps it, another status hides it.
    await page.getByLabel('Status', { exact: true }).selectOption('failed');
    await page.getByRole('cell', { name: 'No deliveries.' }).waitFor();
    await page.getByLabel('Status', { exact: true }).selectOption('succeeded');
    await row.waitFor();
  });

  test("the delivery's page: its payload as sent (the event's HTML as text), its attempts, and Redeliver makes a second attempt", async () => {
    await page.getByRole('link', { name: deliveryId, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: `Delivery ${deliveryId}` }).waitFor();
    const payload = page.getByLabel('Payload', { exact: true });
    expect(await payload.innerText()).toContain(JSON.stringify(HTML_AUTHOR).slice(1, -1).replace(/\\"/g, '\\"'));
    expect(await payload.locator('img, b').count()).toBe(0);
    await expectNoInjectedScript();

    const attempts = page.getByRole('table', { name: 'Attempts' });
    expect(await attempts.getByRole('row').count()).toBe(2); // header + attempt 1
    expect(await attempts.getByRole('row').nth(1).innerText()).toMatch(/^1\s.*\s200\s/s);

    const before = receiver.requests.length;
    await page.getByRole('button', { name: 'Redeliver', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'A new round of attempts has started.' }).waitFor();
    await attempts.getByRole('row').nth(2).waitFor(); // the page follows the new round by itself
    await page.getByText('succeeded', { exact: true }).waitFor();
    expect(receiver.requests.length).toBe(before + 1);
    expect(receiver.requests.at(-1)!.headers['x-wandb-delivery']).toBe(deliveryId);
    await screenshot('delivery');
  });

  test('disable the webhook: a new event is skipped; Re-enable, then Recover the last hour sends it', async () => {
    await nav('Webhooks');
    await page.getByRole('link', { name: 'deploy-hook', exact: true }).click();
    await page.getByRole('button', { name: 'Disable', exact: true }).click();
    await page.getByText('disabled: disabled by an admin').waitFor();
    const reported = await call(local.baseUrl, 'POST', '/teams/demo/events', {
      key: local.registryKey,
      body: { id: 'evt-console-2', type: 'LINK_ARTIFACT', author: 'bob', entity: 'acme', project: 'model-registry', artifact: { collection: 'churn-model', version: 'v', versionString: 'acme/model-registry/churn-model:v4', metadata: {} }, alias: null, tag: null },
    });
    const skippedId = reported.body.deliveries[0].id;
    await waitFor(async () => ((await call(local.baseUrl, 'GET', `/teams/demo/deliveries/${skippedId}`, { key: local.adminKey })).body.status === 'skipped' ? true : undefined), { what: 'the delivery to be skipped' });

    await page.getByRole('button', { name: 'Re-enable', exact: true }).click();
    await page.getByRole('button', { name: 'Disable', exact: true }).waitFor();
    // The window: from an hour ago (the reader's local time, as a datetime-local field takes it).
    const since = await page.evaluate(() => {
      const at = new Date(Date.now() - 3_600_000);
      const pad = (n: number) => String(n).padStart(2, '0');
      return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
    });
    await page.getByLabel('Since', { exact: true }).fill(since);
    await page.getByRole('button', { name: 'Recover deliveries', exact: true }).click();
    await page.getByRole('status').filter({ hasText: '1 deliveries redelivered.' }).waitFor();
    await waitFor(async () => ((await call(local.baseUrl, 'GET', `/teams/demo/deliveries/${skippedId}`, { key: local.adminKey })).body.status === 'succeeded' ? true : undefined), { what: 'the recovered delivery to succeed' });
  });

  test('disable and enable the automation from its list', async () => {
    await nav('Automations');
    await page.getByRole('button', { name: 'Disable deploy-on-link', exact: true }).click();
    await page.getByRole('button', { name: 'Enable deploy-on-link', exact: true }).waitFor();
    expect((await call(local.baseUrl, 'GET', '/teams/demo/automations', { key: local.adminKey })).body.items[0].enabled).toBe(false);
    await page.getByRole('button', { name: 'Enable deploy-on-link', exact: true }).click();
    await page.getByRole('button', { name: 'Disable deploy-on-link', exact: true }).waitFor();
    expect((await call(local.baseUrl, 'GET', '/teams/demo/automations', { key: local.adminKey })).body.items[0].enabled).toBe(true);
  });

  test('Deliveries pages through the history, 25 a page, and back', async () => {
    for (let n = 1; n <= 25; n += 1) {
      const reported = await call(local.baseUrl, 'POST', '/teams/demo/events', {
        key: local.registryKey,
        body: { id: `evt-page-${n}`, type: 'LINK_ARTIFACT', author: 'carol', entity: 'acme', project: 'model-registry', artifact: { collection: 'churn-model', version: 'v', versionString: `acme/model-registry/churn-model:v${n + 10}`, metadata: {} }, alias: null, tag: null },
      });
      expect(reported.status).toBe(202);
    }
    const all = await call(local.baseUrl, 'GET', '/teams/demo/deliveries?limit=100', { key: local.adminKey });
    expect(all.body.items).toHaveLength(27);
    await nav('Deliveries');
    const rows = page.getByRole('table', { name: 'Deliveries, newest first' }).getByRole('row');
    await page.getByRole('link', { name: all.body.items[0].id, exact: true }).waitFor();
    expect(await rows.count()).toBe(26); // header + 25
    await page.getByRole('button', { name: 'Next page', exact: true }).click();
    await page.getByRole('link', { name: all.body.items[26].id, exact: true }).waitFor();
    expect(await rows.count()).toBe(3); // header + the 2 oldest
    expect(await page.getByRole('button', { name: 'Next page', exact: true }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Previous page', exact: true }).click();
    await page.getByRole('link', { name: all.body.items[0].id, exact: true }).waitFor();
  });

  test('every request went to the console’s own origin, and no script error happened', () => {
    expect(requested.length).toBeGreaterThan(10);
    expect(requested.filter((url) => new URL(url).origin !== local.baseUrl)).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  test('Sign out forgets the key', async () => {
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByLabel('API key', { exact: true }).waitFor();
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await page.reload();
    await page.getByLabel('API key', { exact: true }).waitFor();
    await context.close();
  });
});

describe('as a member: everything read-only', () => {
  /** The only buttons a member may see: none of them changes anything. */
  const READ_ONLY_BUTTONS = ['Sign out', 'Filter', 'Refresh', 'Previous page', 'Next page'];

  async function buttonNames(): Promise<string[]> {
    return page.getByRole('button').evaluateAll((buttons) => buttons.map((button) => (button.getAttribute('aria-label') ?? button.textContent ?? '').trim()));
  }

  async function expectNoWriteControl(): Promise<void> {
    for (const name of await buttonNames()) expect(READ_ONLY_BUTTONS).toContain(name);
    expect(await page.locator('form input, form select, form textarea').evaluateAll((fields) => fields.filter((field) => !field.closest('form.filters')).length)).toBe(0);
  }

  test('sees secrets, webhooks, automations and deliveries without a write control', async () => {
    const member = await call(local.baseUrl, 'POST', '/teams/demo/keys', { key: local.adminKey, body: { role: 'member', name: 'console reader' } });
    expect(member.status).toBe(201);
    page = await newPage();
    await signIn(member.body.key);
    await page.getByText('team demo · member (read-only)').waitFor();

    await nav('Secrets');
    await page.getByRole('row').filter({ hasText: 'HMAC_KEY' }).waitFor();
    await expectNoWriteControl();
    await nav('Webhooks');
    await page.getByRole('link', { name: 'deploy-hook', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Webhook deploy-hook' }).waitFor();
    await expectNoWriteControl();
    expect(await page.getByRole('button', { name: 'Send test' }).count()).toBe(0);
    await nav('Automations');
    await page.getByRole('link', { name: 'deploy-on-link', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Automation deploy-on-link' }).waitFor();
    await expectNoWriteControl();
    await nav('Deliveries');
    const link = page.getByRole('table').getByRole('link').first();
    await link.click();
    await page.getByRole('table', { name: 'Attempts' }).waitFor();
    await expectNoWriteControl();
    expect(await page.getByRole('button', { name: 'Redeliver' }).count()).toBe(0);
    await screenshot('member-delivery');
  });

  test('a write through the API from the page is refused (403), and nothing changed', async () => {
    const answer = await page.evaluate(async () => {
      const key = sessionStorage.getItem('registry-webhooks.apiKey');
      const response = await fetch('/teams/demo/secrets/HMAC_KEY', { method: 'PUT', headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ value: 'member-wrote-this' }) });
      return { status: response.status, body: await response.json() };
    });
    expect(answer).toEqual({ status: 403, body: { error: expect.objectContaining({ code: 'FORBIDDEN' }) } });
    const secrets = await call(local.baseUrl, 'GET', '/teams/demo/secrets', { key: local.adminKey });
    const hmac = secrets.body.items.find((item: { name: string }) => item.name === 'HMAC_KEY');
    expect(hmac.updatedAt).toBe(hmac.createdAt);
    await context.close();
  });
});

test('a registry key is told it cannot use the console, and is not kept', async () => {
  page = await newPage();
  await signIn(local.registryKey);
  const alert = page.getByRole('alert');
  await alert.waitFor();
  expect(await alert.innerText()).toMatch(/registry key.*cannot use the console/i);
  expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0);
  await context.close();
});

test('an unknown key is refused at sign-in', async () => {
  page = await newPage();
  await signIn('rwk_this_key_does_not_exist_at_all_000');
  expect(await page.getByRole('alert').innerText()).toBe('Unknown API key.');
  expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  await context.close();
});
