/**
 * The Lambda bundles' credential chain (lambdas/adapters/aws/lambda-credentials.ts, aliased in
 * for the SDK's default chain by lib/functions.ts): the role credentials Lambda puts in the
 * environment, and a clear refusal without them.
 */
import { BUNDLING } from '../../lib/functions';
import { defaultProvider } from '../../lambdas/adapters/aws/lambda-credentials';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

test('reads the credentials Lambda sets in the environment', async () => {
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'ASIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' });
  await expect(defaultProvider()()).resolves.toMatchObject({ accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'secret', sessionToken: 'token' });
});

test('without them, fails saying so', async () => {
  delete process.env.AWS_ACCESS_KEY_ID;
  delete process.env.AWS_SECRET_ACCESS_KEY;
  await expect(defaultProvider()()).rejects.toThrow(/environment/i);
});

test('the stack bundles it in place of the default chain', () => {
  expect(BUNDLING.esbuildArgs).toEqual({ '--alias:@aws-sdk/credential-provider-node': './lambdas/adapters/aws/lambda-credentials.ts' });
});
