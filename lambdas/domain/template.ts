/**
 * Payload templates: JSON in which string values may hold `${variable}`. Values are substituted
 * into the parsed tree and the result is serialized with JSON.stringify, so no value can ever
 * break the JSON (quotes, backslashes, control characters and lone surrogates are all escaped).
 */
import { REDACTED } from './redaction';
import type { RegistryEvent } from './types';

/** Variables every template may use, in the order the default payload lists them. */
export const TEMPLATE_VARIABLES = [
  'event_type',
  'event_author',
  'entity_name',
  'project_name',
  'artifact_collection_name',
  'artifact_version',
  'artifact_version_string',
  'alias',
  'tag',
] as const;

// The marker for secret values in the copy of the payload kept in the deliveries log; it lives
// in redaction.ts (shared with the answer and error cleaning) and stays exported from here.
export { REDACTED };

/** Deeper templates are refused: they are never legitimate and deep recursion costs stack. */
const MAX_DEPTH = 32;
const METADATA_PREFIX = 'artifact_metadata.';
const ACCESS_TOKEN = 'ACCESS_TOKEN';
const BUILTIN: ReadonlySet<string> = new Set(TEMPLATE_VARIABLES);

/** What validation needs to know about the automation's webhook to accept secret variables. */
export interface TemplateContext {
  /** Name of the webhook's signing secret (usable as `${NAME}`), or null. */
  secretName: string | null;
  /** Whether the webhook has an access token (enables `${ACCESS_TOKEN}`). */
  hasAccessToken: boolean;
}

/** Secret values for rendering the body to send (the log copy never sees them). */
export interface RenderSecrets {
  accessToken: string | null;
  secretName: string | null;
  secretValue: string | null;
}

/** Result of {@link validateTemplate}. */
export type TemplateValidation = { ok: true; template: unknown } | { ok: false; message: string };

/**
 * Calls `visit` for every `${name}` in `text`, in order, with the literal text before it.
 * Hand-written with indexOf rather than a regex: `/\$\{([^}]+)\}/` backtracks quadratically on
 * long runs of `${` without a closing brace, and this runs on user input.
 */
function scan(text: string, onLiteral: (s: string) => void, onVariable: (name: string) => void): void {
  let pos = 0;
  let from = 0;
  for (;;) {
    const open = text.indexOf('${', from);
    if (open === -1) break;
    const close = text.indexOf('}', open + 2);
    // No closing brace anywhere after: nothing later can be a variable either.
    if (close === -1) break;
    if (close === open + 2) {
      from = open + 2; // `${}` is literal text: a name needs at least one character.
      continue;
    }
    onLiteral(text.slice(pos, open));
    onVariable(text.slice(open + 2, close));
    pos = from = close + 1;
  }
  onLiteral(text.slice(pos));
}

/** Whether `name` may appear in a template of a webhook described by `context`. */
function isKnownVariable(name: string, context: TemplateContext): boolean {
  if (BUILTIN.has(name)) return true;
  if (name.startsWith(METADATA_PREFIX) && name.length > METADATA_PREFIX.length) return true;
  if (name === ACCESS_TOKEN && context.hasAccessToken) return true;
  return context.secretName !== null && name === context.secretName;
}

/**
 * A plain object (what JSON.parse makes), judged by shape rather than by identity with this
 * realm's Object.prototype: an object from another realm (structuredClone under a test runner's
 * VM context, for one) is still plain.
 */
function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === null) return true;
  return Object.getPrototypeOf(proto) === null && Object.prototype.toString.call(value) === '[object Object]';
}

/** Returns an error message for the first problem in `value`, or null when it is a valid template. */
function checkNode(value: unknown, depth: number, context: TemplateContext): string | null {
  if (value === null || typeof value === 'boolean') return null;
  if (typeof value === 'number') return Number.isFinite(value) ? null : 'payload: numbers must be finite';
  if (typeof value === 'string') {
    let unknown: string | null = null;
    scan(value, () => undefined, (name) => {
      if (unknown === null && !isKnownVariable(name, context)) unknown = name;
    });
    return unknown === null ? null : `payload: unknown variable \${${unknown}}`;
  }
  if (typeof value !== 'object' || (!Array.isArray(value) && !isPlainObject(value))) {
    return 'payload: not a JSON value';
  }
  // depth counts enclosing containers, so MAX_DEPTH nested arrays/objects are still accepted.
  if (depth >= MAX_DEPTH) return `payload: nested deeper than ${MAX_DEPTH} levels`;
  const children: unknown[] = Array.isArray(value) ? Array.from(value) : Object.values(value);
  for (const child of children) {
    if (child === undefined) return 'payload: not a JSON value';
    const problem = checkNode(child, depth + 1, context);
    if (problem !== null) return problem;
  }
  return null;
}

/**
 * Checks a payload template at configuration time. `undefined` means "default payload".
 * A string must hold JSON text; it is returned unchanged (as the template to store) so that
 * the stored form and the form {@link renderPayload} parses always agree. Never throws.
 */
export function validateTemplate(payload: unknown, context: TemplateContext): TemplateValidation {
  if (payload === undefined) return { ok: true, template: undefined };
  try {
    let tree: unknown = payload;
    if (typeof payload === 'string') {
      try {
        tree = JSON.parse(payload);
      } catch (err) {
        return { ok: false, message: `payload: not valid JSON (${err instanceof Error ? err.message : String(err)})` };
      }
    }
    const problem = checkNode(tree, 0, context);
    return problem === null ? { ok: true, template: payload } : { ok: false, message: problem };
  } catch {
    // Exotic inputs (throwing getters, proxies) cannot come from a JSON body; refuse them quietly.
    return { ok: false, message: 'payload: not a JSON value' };
  }
}

/** The text a metadata value is inserted as: strings as-is, other values as their JSON. */
function metadataText(metadata: Record<string, unknown>, key: string): string {
  // Own properties only: `${artifact_metadata.constructor}` must not reach Object.prototype.
  if (!Object.prototype.hasOwnProperty.call(metadata, key)) return '';
  const value = metadata[key];
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return ''; // BigInt or a cycle: cannot come from a JSON event, but must not break a delivery.
  }
}

/** Values of the non-secret variables for one event. */
function builtinValues(event: RegistryEvent): Record<(typeof TEMPLATE_VARIABLES)[number], string> {
  return {
    event_type: event.type,
    event_author: event.author,
    entity_name: event.entity,
    project_name: event.project,
    artifact_collection_name: event.artifact.collection,
    artifact_version: event.artifact.version,
    artifact_version_string: event.artifact.versionString,
    alias: event.alias ?? '',
    tag: event.tag ?? '',
  };
}

type Resolver = (name: string) => string;

/**
 * Builds the variable lookup for the body to send. Built-in names win over a secret that
 * happens to share their name, so a secret can never leak through an ordinary-looking variable.
 */
function resolver(event: RegistryEvent, secrets: RenderSecrets): Resolver {
  const known = eventResolver(event);
  return (name) => {
    const value = known(name);
    if (value !== undefined) return value;
    if (name === ACCESS_TOKEN && secrets.accessToken !== null) return secrets.accessToken;
    if (secrets.secretName !== null && name === secrets.secretName) return secrets.secretValue ?? '';
    // Unknown now (e.g. the webhook lost its token after validation): render empty, never fail.
    return '';
  };
}

/** The event's own variables (built-ins and metadata); undefined for any other name. */
function eventResolver(event: RegistryEvent): (name: string) => string | undefined {
  const builtins: Record<string, string> = builtinValues(event);
  const metadata = event.artifact.metadata ?? {};
  return (name) => {
    if (BUILTIN.has(name)) return builtins[name] ?? '';
    if (name.startsWith(METADATA_PREFIX)) return metadataText(metadata, name.slice(METADATA_PREFIX.length));
    return undefined;
  };
}

/**
 * The lookup for the deliveries log: every variable that is not the event's own is a secret
 * (validation accepts no other: `${ACCESS_TOKEN}` and the signing secret's name), so it is
 * shown as {@link REDACTED} whatever the webhook's secrets are now.
 */
function logResolver(event: RegistryEvent): Resolver {
  const known = eventResolver(event);
  return (name) => known(name) ?? REDACTED;
}

function substitute(text: string, resolve: Resolver): string {
  const parts: string[] = [];
  scan(text, (s) => parts.push(s), (name) => parts.push(resolve(name)));
  return parts.join('');
}

function renderNode(value: unknown, resolve: Resolver): unknown {
  if (typeof value === 'string') return substitute(value, resolve);
  if (Array.isArray(value)) return value.map((item) => renderNode(item, resolve));
  if (value !== null && typeof value === 'object') {
    // fromEntries defines own properties, so a literal "__proto__" key survives as a key.
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderNode(v, resolve)]));
  }
  return value;
}

/** The payload sent when an automation has no template: every variable, metadata as an object. */
function defaultPayload(event: RegistryEvent): Record<string, unknown> {
  return { ...builtinValues(event), artifact_metadata: event.artifact.metadata ?? {} };
}

/** A template string is JSON text; a stored value that is not JSON text is taken as a plain string. */
function parseTemplate(template: unknown): unknown {
  if (typeof template !== 'string') return template;
  try {
    return JSON.parse(template);
  } catch {
    return template;
  }
}

/** Thrown when the variables inserted into a payload add up to more than the allowed size. */
export class PayloadTooLargeError extends Error {
  constructor(readonly maxChars: number) {
    super(`payload renders to more than ${maxChars} characters`);
    this.name = 'PayloadTooLargeError';
  }
}

/**
 * Wraps a resolver so the inserted values may add up to `maxChars` at most: a small template
 * repeating a large metadata value must be refused before it builds megabytes, not after.
 */
function bounded(resolve: Resolver, maxChars: number | undefined): Resolver {
  if (maxChars === undefined) return resolve;
  let inserted = 0;
  return (name) => {
    const value = resolve(name);
    inserted += value.length;
    if (inserted > maxChars) throw new PayloadTooLargeError(maxChars);
    return value;
  };
}

/** Limits of one rendering. */
export interface RenderLimits {
  /** Throw {@link PayloadTooLargeError} once the inserted values exceed this many characters. */
  maxChars?: number;
}

function render(template: unknown, event: RegistryEvent, resolve: Resolver, limits: RenderLimits): string {
  // The default payload holds no secret variables: sent and logged forms are the same.
  if (template === undefined) return JSON.stringify(defaultPayload(event));
  return JSON.stringify(renderNode(parseTemplate(template), bounded(resolve, limits.maxChars))) ?? 'null';
}

/** The body to send (and sign) for one event: secret variables hold their values. */
export function renderBody(template: unknown, event: RegistryEvent, secrets: RenderSecrets, limits: RenderLimits = {}): string {
  return render(template, event, resolver(event, secrets), limits);
}

/**
 * The same document for the deliveries log, rendered whenever the log is read (it is not
 * stored): every secret variable replaced by {@link REDACTED}. Needs no secret at all.
 */
export function renderForLog(template: unknown, event: RegistryEvent, limits: RenderLimits = {}): string {
  return render(template, event, logResolver(event), limits);
}

/** Both forms at once (each caller on a hot path renders only the one it needs). */
export function renderPayload(template: unknown, event: RegistryEvent, secrets: RenderSecrets, limits: RenderLimits = {}): { body: string; redacted: string } {
  return { body: renderBody(template, event, secrets, limits), redacted: renderForLog(template, event, limits) };
}

/** A realistic LINK_ARTIFACT event, used by the webhook test route when no payload is given. */
export function sampleEvent(): RegistryEvent {
  return {
    id: 'evt-sample-0001',
    type: 'LINK_ARTIFACT',
    author: 'alice',
    entity: 'acme',
    project: 'model-registry',
    artifact: {
      collection: 'churn-model',
      version: 'wandb-artifact://_id/QXJ0aWZhY3Q6MTIz',
      versionString: 'acme/model-registry/churn-model:v3',
      metadata: { accuracy: 0.93, framework: 'pytorch', epochs: 20, tags: ['baseline'] },
    },
    alias: 'production',
    tag: null,
  };
}
