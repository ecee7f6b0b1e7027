/**
 * The credential chain of the Lambda bundles, in place of the SDK's default chain
 * (`@aws-sdk/credential-provider-node`, swapped in by an esbuild alias in lib/functions.ts).
 * Lambda hands a function its role's credentials in the environment (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), so that is the one source a bundle needs; the
 * default chain's profile, SSO, process and metadata providers (and their nested STS and SSO
 * clients) cost 20-30 ms of every cold start and are never reached in Lambda. Local mode passes
 * explicit credentials (client-options.ts) and runs from source, with the full chain.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

/** What the SDK clients call to make their credential provider (same shape as the default chain's). */
export const defaultProvider = (init?: Parameters<typeof fromEnv>[0]) => fromEnv(init);
