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
/**
 * The compile cache is bounded by the compiled programs' total size (compiling costs ~5–20 µs
 * per instruction here, matching far less, so a miss is what makes an event slow): it holds
 * five events' whole pattern budgets (automation-limits.ts, MAX_PATTERN_COST_PER_EVENT), so a
 * team's patterns stay compiled from one event to the next instead of being evicted in turn
 * (a count of 500 entries did that to 1,000 patterns: each event compiled them all again).
 */
const CACHE_PROGRAM_BUDGET = 100_000;
/** And by entries, for many tiny patterns. */
const CACHE_LIMIT = 5_000;

/** Compiled patterns by source (with their program size); null records a pattern that does not compile. */
const cache = new Map<string, { re: RE2JS; size: number } | null>();
let cachedProgramSize = 0;

/** Compiles a pattern, or explains why it cannot be used. */
function compile(pattern: string): { re: RE2JS; size: number } | { error: string } {
  if (pattern.length > MAX_PATTERN_LENGTH) return { error: `longer than ${MAX_PATTERN_LENGTH} characters` };
  try {
    // No flags: in particular not LOOKBEHINDS, so every lookaround is a syntax error.
    const re = RE2JS.compile(pattern);
    const size = re.matcher('').programSize();
    if (size > MAX_PROGRAM_SIZE) return { error: 'pattern too complex' };
    return { re, size };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

/** Cached compile, least recently used evicted first. */
function cachedPattern(pattern: string): { re: RE2JS; size: number } | null {
  const hit = cache.get(pattern);
  if (hit !== undefined) {
    cache.delete(pattern); // re-insert to mark as most recently used
    cache.set(pattern, hit);
    return hit;
  }
  const compiled = compile(pattern);
  const entry = 're' in compiled ? compiled : null;
  const size = entry?.size ?? 0;
  while (cache.size > 0 && (cache.size >= CACHE_LIMIT || cachedProgramSize + size > CACHE_PROGRAM_BUDGET)) {
    const [oldest, evicted] = cache.entries().next().value!;
    cache.delete(oldest);
    cachedProgramSize -= evicted?.size ?? 0;
  }
  cache.set(pattern, entry);
  cachedProgramSize += size;
  return entry;
}

/**
 * What a pattern costs each event it is tried on: its compiled program's size (instructions),
 * which both compiling and matching are linear in. 0 for no pattern or one that does not
 * compile (it matches nothing and is never run).
 */
export function patternCost(pattern: string | undefined): number {
  return pattern === undefined ? 0 : (cachedPattern(pattern)?.size ?? 0);
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
  const compiled = cachedPattern(pattern);
  if (compiled === null) return false; // a stored pattern that no longer compiles matches nothing
  try {
    return compiled.re.test(value);
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
