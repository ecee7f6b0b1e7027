/**
 * The `authorizer` Lambda (API Gateway TOKEN authorizer): API key → {team, role}. It only
 * authenticates; what the key may do is checked per route by the api/ingest handlers from
 * the route table. The policy therefore allows the whole stage, so API Gateway can cache
 * one decision per key (≤ 60 s) for every route.
 */
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { keyStore } from '../adapters/wiring/dynamo';
import { authenticate } from '../domain/services/keys';
import { instrumentHandler } from './instrument';

/** `arn:…:apiId/stage/*`: every method and path of this stage. */
export function stageWildcard(methodArn: string): string {
  const [prefix, stage] = methodArn.split('/');
  return `${prefix}/${stage}/*`;
}

/**
 * TOKEN authorizer handler. Throwing `Unauthorized` makes API Gateway answer 401, and Lambda
 * counts it as an error: so the stack alarms on API Gateway's 5XX (an authorizer that fails
 * for real answers 500), never on this function's Errors, which a caller's bad key raises.
 */
export const handler = instrumentHandler<APIGatewayTokenAuthorizerEvent, APIGatewayAuthorizerResult>(async (event, _context, logger) => {
  const record = await authenticate({ keys: keyStore() }, event.authorizationToken);
  if (!record) {
    logger.info('unknown API key');
    throw new Error('Unauthorized');
  }
  return {
    principalId: record.id,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: stageWildcard(event.methodArn) }],
    },
    context: { team: record.team, role: record.role, keyId: record.id },
  };
});
