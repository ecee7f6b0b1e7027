/** Team secrets in Secrets Manager, made once per process on first use. */
import { secretsManager } from '../aws/secrets-manager';
import { SecretsManagerStore } from '../secret-store';
import { once } from './once';
import { runtimeConfig } from './settings';

/** The secret store (values cached, see secret-store.ts). */
export const secretStore = once(() => new SecretsManagerStore(secretsManager, runtimeConfig().secretPrefix, runtimeConfig().secretCacheSeconds));
