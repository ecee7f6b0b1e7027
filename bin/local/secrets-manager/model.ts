/**
 * The shapes of the Secrets Manager emulator's state, shared by the store, the version
 * logic, the list helpers and the actions. They are also the data file's format, so a
 * change here is a change of that format.
 */

/** A secret tag as the service models it; Value is optional. */
export interface Tag {
  Key: string;
  Value?: string;
}

/** A secret value: exactly one of the two is set. */
export interface SecretValue {
  secretString?: string;
  /** Base64, exactly as the JSON protocol carries blobs. */
  secretBinary?: string;
}

/** One version of a secret value with its staging labels. Dates are epoch seconds. */
export interface StoredVersion {
  versionId: string;
  secretString?: string;
  secretBinary?: string;
  stages: string[];
  createdDate: number;
}

/** One secret with all its kept versions. Dates are epoch seconds. */
export interface StoredSecret {
  name: string;
  arn: string;
  description?: string;
  tags: Tag[];
  createdDate: number;
  lastChangedDate: number;
  lastAccessedDate?: number;
  /** Set while scheduled for deletion. */
  deletedDate?: number;
  /** When a scheduled deletion becomes final. */
  deletionDate?: number;
  versions: StoredVersion[];
}

/** Seconds in a day, the unit of recovery windows and of the last-accessed date. */
export const DAY_SECONDS = 86400;
