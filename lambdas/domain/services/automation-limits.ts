/**
 * Per-team limits on enabled automations, checked when an automation is created, enabled, or
 * changed in a way that adds to them, so that every event's work is bounded whatever the team
 * stores:
 * - fan-out: an event of one type can trigger only the team's enabled automations of that type,
 *   so at most {@link MAX_ENABLED_AUTOMATIONS_PER_TYPE} deliveries. The event's record lists its
 *   deliveries (~135 bytes each): 1,000 of them stay at a third of DynamoDB's 400 KB item limit
 *   beside the largest event, where 5,000 overflowed it (a 500 on every retry, after every
 *   delivery had been written and sent), and an ingest writes them within seconds.
 * - pattern cost: an event runs the alias or tag patterns of its type's candidates; compiling
 *   and matching are linear in a pattern's compiled program (matching.ts, patternCost). The
 *   total over the team's enabled automations of one type is at most
 *   {@link MAX_PATTERN_COST_PER_TYPE}: about 0.1–0.5 s of CPU when none is compiled yet, where
 *   1,000 patterns of ~990 instructions took 42 s per event and stalled every request beside it.
 * Two admins creating at the very same moment may pass one check each; the margins above
 * absorb that.
 */
import { conflict } from '../errors';
import { patternFieldOf } from '../event-types';
import { patternCost } from '../matching';
import type { Automation } from '../types';
import type { Deps } from './deps';

/** Most enabled automations a team may have of one event type: the most deliveries one event makes. */
export const MAX_ENABLED_AUTOMATIONS_PER_TYPE = 1000;
/** Largest total pattern cost (compiled program instructions) of a team's enabled automations of one event type. */
export const MAX_PATTERN_COST_PER_TYPE = 20_000;

/** The cost of the pattern an automation's event type runs (its other pattern field is refused on save). */
function costOf(automation: Automation): number {
  const field = patternFieldOf(automation.event.type);
  return field === null ? 0 : patternCost(automation.event[field]);
}

/**
 * Throws a conflict if saving `automation` (replacing `previous`, if it exists) takes its team
 * past a limit. Changes that add nothing (a rename, disabling, a cheaper pattern) always pass,
 * so a team over a limit from before it existed can still edit and tidy up.
 */
export async function checkAutomationLimits(deps: Deps<'automations'>, automation: Automation, previous?: Automation): Promise<void> {
  if (!automation.enabled) return;
  const sameType = previous !== undefined && previous.enabled && previous.event.type === automation.event.type;
  const cost = costOf(automation);
  const addsOne = !sameType;
  const addsCost = cost > (sameType ? costOf(previous!) : 0);
  if (!addsOne && !addsCost) return;
  const others = (await deps.automations.list(automation.team))
    .filter((other) => other.id !== automation.id && other.enabled && other.event.type === automation.event.type);
  const type = automation.event.type;
  if (addsOne && others.length + 1 > MAX_ENABLED_AUTOMATIONS_PER_TYPE) {
    throw conflict(`the team has ${others.length} enabled ${type} automations; at most ${MAX_ENABLED_AUTOMATIONS_PER_TYPE} may be enabled per event type (disable or delete some first)`);
  }
  if (addsCost) {
    const total = others.reduce((sum, other) => sum + costOf(other), 0) + cost;
    if (total > MAX_PATTERN_COST_PER_TYPE) {
      throw conflict(`the patterns of the team's enabled ${type} automations would cost ${total} instructions per event; the limit is ${MAX_PATTERN_COST_PER_TYPE} (simplify or disable some patterns)`);
    }
  }
}
