/**
 * The keys local mode prints: taken from LOCAL_ADMIN_KEY / LOCAL_REGISTRY_KEY when set,
 * otherwise generated once and kept in `<data dir>/local-keys.json` (mode 0600), so a
 * restart prints the same keys.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { API_KEY_PATTERN, generateApiKey } from '../../lambdas/domain/services/keys';

/** The two keys local mode makes sure exist. */
export interface LocalKeys {
  adminKey: string;
  registryKey: string;
}

function checked(name: string, value: string): string {
  if (!API_KEY_PATTERN.test(value)) throw new Error(`${name} must be 20-200 characters of [A-Za-z0-9_-]`);
  return value;
}

/** Reads, or makes and saves, the local keys. */
export function loadLocalKeys(dataDir: string, adminKey: string | undefined, registryKey: string | undefined): LocalKeys {
  const file = path.join(dataDir, 'local-keys.json');
  const saved: Partial<LocalKeys> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const keys: LocalKeys = {
    adminKey: adminKey ? checked('LOCAL_ADMIN_KEY', adminKey) : saved.adminKey ?? generateApiKey(),
    registryKey: registryKey ? checked('LOCAL_REGISTRY_KEY', registryKey) : saved.registryKey ?? generateApiKey(),
  };
  // One key cannot be both: the registry key serves every team's events, the admin key one team.
  if (keys.adminKey === keys.registryKey) throw new Error('LOCAL_ADMIN_KEY and LOCAL_REGISTRY_KEY must differ');
  if (keys.adminKey !== saved.adminKey || keys.registryKey !== saved.registryKey) {
    // Whole or not at all (temp file, then rename): a kill -9 mid-write must not leave a file the next start cannot parse.
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(keys, null, 2), { mode: 0o600 });
    renameSync(temp, file);
  }
  return keys;
}
