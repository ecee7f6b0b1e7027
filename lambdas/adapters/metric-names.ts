/**
 * Names of the service's own CloudWatch metrics that the stack alarms on, shared by the
 * handlers that emit them and lib/monitoring.ts (plain constants: the CDK app imports this
 * without loading Powertools).
 */

/** A request answered 500 because of an unexpected error in the api or ingest handler. */
export const API_INTERNAL_ERROR_METRIC = 'ApiInternalError';

/** A delivery that ended `failed` (schedule spent, 410 Gone, blocked address, deleted webhook). */
export const DELIVERY_FAILED_METRIC = 'DeliveryFailed';
