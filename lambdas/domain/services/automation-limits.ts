/**
 * Per-team limits on enabled automations that share one filter — the same event type, registry
 * (project) filter and model (collection) filter, i.e. one key of the matching index — checked
 * when an automation is created, enabled, or changed in a way that adds to them. An event reads
 * at most four such keys (its registry or any × its model or any), so every event's work is
 * bounded whatever the team stores, while a team may keep any number of automations spread over
 * models and registries (the 10,000 of the matching benchmark):
 * - fan-out: at most {@link MAX_AUTOMATIONS_PER_FILTER} per filter, so one event makes at most
 *   {@link MAX_DELIVERIES_PER_EVENT} deliveries. The event's record lists them (~135 bytes
 *   each): 1,000 fit beside the largest event in DynamoDB's 400 KB item (checked on DynamoDB
 *   Local by the port contract), where 5,000 overflowed it (a 500 on every retry, after the
 *   deliveries had been written and sent).
 * - pattern cost: an event runs the alias or tag patterns of its candidates; compiling and
 *   matching are linear in a pattern's compiled program (matching.ts, patternCost). Per filter
 *   the total is at most {@link MAX_PATTERN_COST_PER_FILTER}, so at most
 *   {@link MAX_PATTERN_COST_PER_EVENT} per event: ~0.1–0.5 s of CPU with nothing compiled yet,
 *   where 1,000 patterns of ~990 instructions took 42 s per event and stalled every request.
 * Two admins saving at the very same moment may each pass a check; the margins absorb that.
 */
import { conflict } from '../errors';
import { patternFieldOf } from '../event-types';
import { patternCost } from '../matching';
import type { Automation } from '../types';
import type { Deps } from './deps';

/** Most enabled automations of a team with one event type, registry filter and model filter. */
export const MAX_AUTOMATIONS_PER_FILTER = 250;
/** Most deliveries one event can make: four filters' worth. */
export const MAX_DELIVERIES_PER_EVENT = 4 * MAX_AUTOMATIONS_PER_FILTER;
/** Largest total pattern cost (compiled instructions) of the enabled automations of one filter. */
export const MAX_PATTERN_COST_PER_FILTER = 5_000;
/** Largest pattern cost one event can run: four filters' worth. */
export const MAX_PATTERN_COST_PER_EVENT = 4 * MAX_PATTERN_COST_PER_FILTER;

/** The cost of the pattern an automation's event type runs (its other pattern field is refused on save). */
function costOf(automation: Automation): number {
  const field = patternFieldOf(automation.event.type);
  return field === null ? 0 : patternCost(automation.event[field]);
}

function sameFilter(a: Automation, b: Automation): boolean {
  return a.event.type === b.event.type && a.event.project === b.event.project && a.event.collection === b.event.collection;
}

/** How a filter is named in messages: `LINK_ARTIFACT of model churn-model in any registry`. */
function describeFilter({ event }: Automation): string {
  const model = event.collection === undefined ? 'any model' : `model ${event.collection}`;
  const registry = event.project === undefined ? 'any registry' : `registry ${event.project}`;
  return `${event.type} of ${model} in ${registry}`;
}

/**
 * Throws a conflict if saving `automation` (replacing `previous`, if it exists) takes its
 * filter past a limit. Changes that add nothing (a rename, disabling, a cheaper pattern) always
 * pass, so a team over a limit from before it existed can still edit and tidy up.
 */
export async function checkAutomationLimits(deps: Deps<'automations'>, automation: Automation, previous?: Automation): Promise<void> {
  if (!automation.enabled) return;
  const stays = previous !== undefined && previous.enabled && sameFilter(previous, automation);
  const cost = costOf(automation);
  const addsOne = !stays;
  const addsCost = cost > (stays ? costOf(previous!) : 0);
  if (!addsOne && !addsCost) return;
  const { type, collection, project } = automation.event;
  // The candidates of an event of this filter's own model and registry hold the filter's key;
  // '' stands for "any": no filter can be empty, and a report without a project reads only the
  // any-registry keys.
  const siblings = (await deps.automations.findCandidates(automation.team, type, collection ?? '', project ?? ''))
    .filter((other) => other.id !== automation.id && sameFilter(other, automation));
  if (addsOne && siblings.length + 1 > MAX_AUTOMATIONS_PER_FILTER) {
    throw conflict(`the team has ${siblings.length} enabled automations on ${describeFilter(automation)}; at most ${MAX_AUTOMATIONS_PER_FILTER} may share an event type, registry and model filter (disable or delete some, or filter more narrowly)`);
  }
  if (addsCost) {
    const total = siblings.reduce((sum, other) => sum + costOf(other), 0) + cost;
    if (total > MAX_PATTERN_COST_PER_FILTER) {
      throw conflict(`the patterns of the team's enabled automations on ${describeFilter(automation)} would cost ${total} instructions per event; the limit is ${MAX_PATTERN_COST_PER_FILTER} (simplify or disable some patterns)`);
    }
  }
}
