/** The `api` Lambda: management routes (keys, secrets, webhooks, automations, deliveries). */
import { serviceDeps } from '../adapters/container';
import { httpHandler } from './http/http-handler';
import { API_OPERATIONS } from './http/operations';

/** API Gateway proxy handler. */
export const handler = httpHandler(API_OPERATIONS, () => serviceDeps());
