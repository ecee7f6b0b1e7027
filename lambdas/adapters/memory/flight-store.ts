/** Slow marks and in-flight leases in a Map (the FlightStore port's rules), for tests and benchmarks. */
import { randomUUID } from 'node:crypto';
import type { FlightStore } from '../../domain/ports';

interface Flight {
  slowUntil: number | null;
  inFlight: number;
  epoch: string | null;
  leaseUntil: number;
}

/** In-memory FlightStore. */
export class MemoryFlightStore implements FlightStore {
  private readonly flights = new Map<string, Flight>();

  async slowUntil(team: string, webhookId: string, now: Date): Promise<Date | null> {
    const until = this.flight(team, webhookId).slowUntil;
    return until !== null && until > now.getTime() ? new Date(until) : null;
  }

  async markSlow(team: string, webhookId: string, until: Date): Promise<void> {
    this.flight(team, webhookId).slowUntil = until.getTime();
  }

  async acquire(team: string, webhookId: string, cap: number, now: Date, until: Date): Promise<string | null> {
    const flight = this.flight(team, webhookId);
    if (flight.epoch !== null && flight.leaseUntil > now.getTime()) {
      if (flight.inFlight >= cap) return null;
      flight.inFlight += 1;
    } else {
      Object.assign(flight, { epoch: randomUUID(), inFlight: 1 });
    }
    flight.leaseUntil = until.getTime();
    return flight.epoch;
  }

  async release(team: string, webhookId: string, token: string): Promise<void> {
    const flight = this.flight(team, webhookId);
    if (flight.epoch === token && flight.inFlight > 0) flight.inFlight -= 1;
  }

  private flight(team: string, webhookId: string): Flight {
    const key = `${team}\u0000${webhookId}`;
    let flight = this.flights.get(key);
    if (!flight) {
      flight = { slowUntil: null, inFlight: 0, epoch: null, leaseUntil: 0 };
      this.flights.set(key, flight);
    }
    return flight;
  }
}
