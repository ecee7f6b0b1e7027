/** The webhook sender, made once per process on first use. */
import { redactingSender } from '../../domain/redact';
import { createHttpSender } from '../http-sender';
import { once } from './once';
import { runtimeConfig } from './settings';

/**
 * The SSRF-guarded sender. Receivers may echo the request: what comes back is cleaned of the
 * secrets that went out.
 */
export const webhookSender = once(() => {
  const { allowHosts, attemptTimeoutMs } = runtimeConfig();
  return redactingSender(createHttpSender({ allowHosts, attemptTimeoutMs }));
});
