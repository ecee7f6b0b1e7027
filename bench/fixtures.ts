/** What every figure sends: one registry event shape, one payload template, one webhook's secrets. */
import { sampleEvent } from '../lambdas/domain/template';
import type { RegistryEvent } from '../lambdas/domain/types';

/** The signing secret and access token every figure's webhook uses. */
export const SIGNING_SECRET = 'whsec_bench_6f1d2c8a9b7e4f30a1c5d9e2b8f7a6c4';
export const ACCESS_TOKEN = 'ghp_bench_token_3b9f1e7d5c2a8e6f4d0b1a9c7e5f3d2b';

/** The payload template of the automation (the product page's GitHub dispatch example, plus a timestamp). */
export const TEMPLATE = {
  event_type: 'BUILD_AND_DEPLOY',
  client_payload: {
    event: '${event_type}',
    author: '${event_author}',
    model: '${artifact_collection_name}',
    artifact_version: '${artifact_version}',
    artifact_version_string: '${artifact_version_string}',
    alias: '${alias}',
    // The end-to-end figure measures event-to-receiver latency from this (see receiver-process.ts).
    sentAt: '${artifact_metadata.sentAt}',
  },
};

/** A LINK_ARTIFACT event for collection `churn-model`, as the registry reports it. */
export function benchEvent(id: string, sentAt: number, collection = 'churn-model'): RegistryEvent {
  const sample = sampleEvent();
  return {
    ...sample,
    id,
    artifact: { ...sample.artifact, collection, versionString: `acme/model-registry/${collection}:v3`, metadata: { accuracy: 0.93, sentAt: String(sentAt) } },
  };
}
