/**
 * The registry's event types, one entry each: what the event is about, which value it carries
 * (and so which pattern filter applies), and which template variables it fills. The schemas
 * (schemas.ts), matching (matching.ts) and automation checks (services/automations.ts) read
 * this table, so a type cannot be half-added.
 */
import type { TEMPLATE_VARIABLES } from './template';
import type { EventType, RegistryEvent } from './types';

/** A built-in template variable (`${name}`), or `artifact_metadata.*` for every metadata key. */
export type FilledVariable = (typeof TEMPLATE_VARIABLES)[number] | 'artifact_metadata.*';

/** What one event type is. */
export interface EventTypeSpec {
  /** One line for people (docs, errors). */
  readonly description: string;
  /**
   * What the event is about: a version of a registered model, or the registered model itself
   * (`collection`: such events carry no version, so the version variables are empty).
   */
  readonly subject: 'version' | 'collection';
  /** The value the event is about, whose pattern filter applies to it (`aliasPattern`/`tagPattern`); null: none. */
  readonly carries: 'alias' | 'tag' | null;
}

/** Every event type (the keys are exactly EVENT_TYPES: the compiler checks). */
export const EVENT_CATALOG: { readonly [T in EventType]: EventTypeSpec } = {
  LINK_ARTIFACT: { description: 'a version is linked to a registered model', subject: 'version', carries: null },
  UNLINK_ARTIFACT: { description: 'a version is unlinked from a registered model', subject: 'version', carries: null },
  CREATE_ARTIFACT: { description: 'a new artifact version is logged', subject: 'version', carries: null },
  ADD_ARTIFACT_ALIAS: { description: 'an alias is added to a version', subject: 'version', carries: 'alias' },
  ADD_ARTIFACT_TAG: { description: 'a tag is added to a version', subject: 'version', carries: 'tag' },
  REMOVE_ARTIFACT_TAG: { description: 'a tag is removed from a version', subject: 'version', carries: 'tag' },
  ADD_COLLECTION_TAG: { description: 'a tag is added to the registered model itself', subject: 'collection', carries: 'tag' },
  REMOVE_COLLECTION_TAG: { description: 'a tag is removed from the registered model itself', subject: 'collection', carries: 'tag' },
};

/** The pattern filter an event type accepts, named as in an automation's `event`; null: none. */
export function patternFieldOf(type: EventType): 'aliasPattern' | 'tagPattern' | null {
  const carries = EVENT_CATALOG[type].carries;
  return carries === null ? null : carries === 'alias' ? 'aliasPattern' : 'tagPattern';
}

/** The event types that accept a pattern filter (`aliasPattern` or `tagPattern`), in EVENT_TYPES order. */
export function typesWithPattern(field: 'aliasPattern' | 'tagPattern'): EventType[] {
  return (Object.keys(EVENT_CATALOG) as EventType[]).filter((type) => patternFieldOf(type) === field);
}

/** Variables every event fills (from the report's top-level fields and `artifact.collection`). */
const ALWAYS: readonly FilledVariable[] = ['event_type', 'event_author', 'entity_name', 'project_name', 'artifact_collection_name'];
/** Variables only an event about a version fills. */
const VERSION: readonly FilledVariable[] = ['artifact_version', 'artifact_version_string'];

/**
 * The variables an event of this type fills. Every other built-in variable renders empty —
 * except `${alias}`/`${tag}`, which render what the report holds when it holds one (a link
 * may carry the alias it was made with). `artifact_metadata.*` renders the report's metadata:
 * the version's, or for a collection event whatever the registry sends about the model.
 */
export function filledVariables(type: EventType): FilledVariable[] {
  const spec = EVENT_CATALOG[type];
  return [...ALWAYS, ...(spec.subject === 'version' ? VERSION : []), ...(spec.carries === null ? [] : [spec.carries]), 'artifact_metadata.*'];
}

/**
 * The event as stored and rendered: a collection event's version fields are cleared, so
 * `${artifact_version}` and `${artifact_version_string}` are empty for it (api.md) even when a
 * report sends them.
 */
export function normalizeEvent(event: RegistryEvent): RegistryEvent {
  if (EVENT_CATALOG[event.type].subject === 'version') return event;
  return { ...event, artifact: { ...event.artifact, version: '', versionString: '' } };
}
