/**
 * Published AWS prices (us-east-1, on-demand, no free tier) the cost figure uses. Each carries
 * where it was read and when; docs/cost.md quotes the same table. Update both together.
 */

export interface Price {
  usd: number;
  per: string;
  source: string;
}

/** When these prices were looked up. */
export const PRICES_CHECKED = '2026-11-26';

export const PRICES = {
  dynamoWriteRequestUnit: {
    usd: 0.625 / 1e6, per: 'write request unit (on-demand, Standard table class)',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/ ($0.625 per million WRU since the Nov 2024 cut; as quoted by airbyte.com, Jul 2025, and by a cost model citing the AWS Price List, Aug 2026)',
  },
  dynamoReadRequestUnit: {
    usd: 0.125 / 1e6, per: 'read request unit (on-demand)',
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/ ($0.125 per million RRU; same sources)',
  },
  sqsRequest: {
    usd: 0.4 / 1e6, per: 'SQS standard request (per 64 KB chunk; first 100 B requests/month tier)',
    source: 'https://aws.amazon.com/sqs/pricing/ ($0.40 per million; as quoted by cloudburn.io, Mar 2026, and factualminds.com, Jun 2026)',
  },
  lambdaRequest: {
    usd: 0.2 / 1e6, per: 'Lambda invocation',
    source: 'https://aws.amazon.com/lambda/pricing/ ($0.20 per million requests, x86 and Arm)',
  },
  lambdaArmGbSecond: {
    usd: 0.0000133334, per: 'Lambda Arm GB-second (first 7.5 B GB-s/month tier)',
    source: 'https://aws.amazon.com/lambda/pricing/ ($0.0000133334 per GB-s on Arm; as quoted by cloudchipr.com and by a cost model citing the AWS Price List, Aug 2026)',
  },
  apiGatewayRestRequest: {
    usd: 3.5 / 1e6, per: 'API Gateway REST API request (first 333 M/month tier)',
    source: 'https://aws.amazon.com/api-gateway/pricing/ ($3.50 per million; AWS whitepaper "Best Practices for Designing Amazon API Gateway Private APIs", cost optimization table)',
  },
  secretsManagerCall: {
    usd: 0.05 / 10_000, per: 'Secrets Manager API call',
    source: 'https://aws.amazon.com/secrets-manager/pricing/ ($0.05 per 10,000 API calls; $0.40 per secret-month not per delivery)',
  },
  eventBridgeCustomEvent: {
    usd: 1.0 / 1e6, per: 'EventBridge custom event published (per 64 KB chunk)',
    source: 'https://aws.amazon.com/eventbridge/pricing/ ($1.00 per million; as quoted by factualminds.com, Jun 2026)',
  },
  eventBridgeApiDestination: {
    usd: 0.2 / 1e6, per: 'EventBridge API destination invocation',
    source: 'https://aws.amazon.com/eventbridge/pricing/ ($0.20 per million invocations; as quoted by factualminds.com, Jun 2026)',
  },
  cloudWatchLogsIngestGb: {
    usd: 0.5, per: 'CloudWatch Logs GB ingested (standard class)',
    source: 'https://aws.amazon.com/cloudwatch/pricing/ ($0.50 per GB; as quoted by a cost model citing the AWS Price List, Aug 2026)',
  },
} satisfies Record<string, Price>;
