/**
 * Options shared by the AWS SDK v3 clients. `*_ENDPOINT` variables point them at local
 * engines in local mode; deployed, they are unset and the SDK uses the Lambda's region and
 * role.
 */

/** Client options for a service whose local endpoint (if any) is `endpoint`. */
export function clientOptions(endpoint: string | undefined) {
  const region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
  if (!endpoint) return { region, maxAttempts: 3 };
  // Local engines accept any credentials; fixed ones keep local mode off the user's real AWS profile.
  return { region, endpoint, maxAttempts: 3, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
}
