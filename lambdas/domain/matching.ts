/**
 * Which automations an event triggers. Alias/tag patterns are user-supplied regular
 * expressions, so they run on RE2 (re2js): linear-time matching, no catastrophic backtracking,
 * and no backreferences or lookaround (they are rejected when the automation is saved).
 */
import { RE2JS } from 're2js';
import { EVENT_CATALOG } from './event-types';
import type { Automation, RegistryEvent } from './types';

/** Longest accepted pattern: keeps compiled programs (and their memory) small. */
const MAX_PATTERN_LENGTH = 256;
/**
 * Largest compiled program accepted. Matching is linear in the input but also in the program,
 * and `[\s\S]{1000}` repeated fits in 256 characters yet compiles to ~20,000 instructions.
 */
const MAX_PROGRAM_SIZE = 2000;
/** A Lambda container matches the same few patterns over and over; bound the cache anyway. */
const CACHE_LIMIT = 500;

/** Compiled patterns by source; null records a pattern that does not compile. */
const cache = new Map<string, RE2JS | null>();

/** Compiles a pattern, or explains why it cannot be used. */
function compile(pattern: string): { re: RE2JS } | { error: string } {
  if (pattern.length > MAX_PATTERN_LENGTH) return { error: `longer than ${MAX_PATTERN_LENGTH} characters` };
  try {
    // No flags: in particular not LOOKBEHINDS, so every lookaround is a syntax error.
    const re = RE2JS.compile(pattern);
    if (re.matcher('').programSize() > MAX_PROGRAM_SIZE) return { error: 'pattern too complex' };
    return { re };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/** Cached compile, least recently used evicted first. */
function cachedPattern(pattern: string): RE2JS | null {
  const hit = cache.get(pattern);
  if (hit !== undefined) {
    cache.delete(pattern); // re-insert to mark as most recently used
    cache.set(pattern, hit);
    return hit;
  }
  const compiled = compile(pattern);
  const re = 're' in compiled ? compiled.re : null;
  if (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(pattern, re);
  return re;
}

/**
 * Validates a user's pattern at configuration time. `field` names it in the message,
 * e.g. `event.aliasPattern: invalid regular expression (...)`.
 */
export function compilePattern(field: string, pattern: string): { ok: true } | { ok: false; message: string } {
  if (typeof pattern !== 'string') return { ok: false, message: `${field}: must be a string` };
  const compiled = compile(pattern);
  return 're' in compiled ? { ok: true } : { ok: false, message: `${field}: invalid regular expression (${compiled.error})` };
}

/** Search semantics (like RegExp.test): users anchor with ^ and $ when they mean the whole value. */
function patternMatches(pattern: string | undefined, value: string | null): boolean {
  if (pattern === undefined) return true;
  if (value === null) return false;
  const re = cachedPattern(pattern);
  if (re === null) return false; // a stored pattern that no longer compiles matches nothing
  try {
    return re.test(value);
  } catch {
    return false;
  }
}

/**
 * Whether an event triggers an automation: enabled, same type, the project (registry) and
 * collection filters pass, and the pattern of the value the event type carries. Never throws.
 */
export function automationMatches(automation: Automation, event: RegistryEvent): boolean {
  if (!automation.enabled) return false;
  const filter = automation.event;
  if (filter.type !== event.type) return false;
  if (filter.project !== undefined && filter.project !== event.project) return false;
  if (filter.collection !== undefined && filter.collection !== event.artifact.collection) return false;
  // Each pattern only applies to the event types that carry its value (event-types.ts).
  const carries = EVENT_CATALOG[event.type].carries;
  if (carries === 'alias') return patternMatches(filter.aliasPattern, event.alias);
  if (carries === 'tag') return patternMatches(filter.tagPattern, event.tag);
  return true;
}
