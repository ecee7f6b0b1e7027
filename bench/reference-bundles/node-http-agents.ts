/**
 * Cold-start reference (bench/cold-start.ts): the sender's HTTP client alone — Node's built-in
 * node:http and node:https with one keep-alive Agent each, as lambdas/adapters/http-sender.ts
 * makes them. Being part of the runtime, they should cost next to nothing to load.
 */
import http from 'node:http';
import https from 'node:https';

const options = { keepAlive: true, maxSockets: 50, scheduling: 'lifo' as const, timeout: 4000 };
export const httpAgent = new http.Agent(options);
export const httpsAgent = new https.Agent(options);
