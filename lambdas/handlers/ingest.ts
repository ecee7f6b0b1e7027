/** The `ingest` Lambda: `POST /teams/{team}/events`, idempotent on the event id. */
import { serviceDeps } from '../adapters/container';
import { httpHandler } from './http/http-handler';
import { INGEST_OPERATIONS } from './http/operations';

/** API Gateway proxy handler. */
export const handler = httpHandler(INGEST_OPERATIONS, () => serviceDeps());
