/**
 * Delivery ids: `dlv_`, the creation time (epoch ms in base 36, 9 characters, fixed width), then
 * 24 hex characters of a hash of (team, event id, automation id). The same report makes the
 * same ids (a retried report reuses the creation time stored in the event's record), which makes
 * reports idempotent; and ids sort by creation time, which is the log's order and lets a time
 * window be read as a range of ids (recover).
 */
import { createHash } from 'node:crypto';

const TIME_DIGITS = 9;

/** The id of the delivery of an event to an automation. */
export function deliveryIdFor(team: string, eventId: string, automationId: string, createdAt: string): string {
  return `${deliveryIdPrefixAt(Date.parse(createdAt))}${createHash('sha256').update(`${team}\u0000${eventId}\u0000${automationId}`).digest('hex').slice(0, 24)}`;
}

/** What every id of a delivery created at `ms` begins with. */
export function deliveryIdPrefixAt(ms: number): string {
  return `dlv_${Math.max(0, Math.trunc(ms)).toString(36).padStart(TIME_DIGITS, '0')}`;
}

/**
 * The ids of deliveries created in [since, until), as an inclusive range of strings: from the
 * prefix of `since` up to the prefix of the last millisecond before `until`, followed by `~`
 * (which sorts after every character an id can hold).
 */
export function deliveryIdRange(since: Date, until: Date): { from: string; to: string } {
  return { from: deliveryIdPrefixAt(since.getTime()), to: `${deliveryIdPrefixAt(until.getTime() - 1)}~` };
}
