/**
 * Helpers for cdk-nag v3 acknowledgements. cdk-nag 3 reads CDK's native
 * `Validations.of(scope).acknowledge()` metadata, and an acknowledgement covers the scope it is
 * recorded on and everything below it, so callers pass the narrowest construct that works.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Shortest reason accepted: an acknowledgement must explain itself. */
export const MIN_REASON_LENGTH = 10;

/**
 * Acknowledges one cdk-nag finding on `scope` (and its children). Throws when the reason is
 * missing or too short, so a bare suppression cannot slip in.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  if (reason.trim().length < MIN_REASON_LENGTH) {
    throw new Error(`cdk-nag acknowledgement ${id} on ${scope.node.path} needs a reason`);
  }
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * How cdk-nag spells a value (an ARN with tokens, say) in finding ids: `Fn::GetAtt` becomes
 * `<LogicalId.Attribute>`, `Ref` becomes `<Name>`, `Fn::Join` is joined. IAM5 findings must be
 * acknowledged one by one in v3, so the id has to match cdk-nag's exactly.
 */
export function nagSpelling(scope: IConstruct, value: string): string {
  return flatten(Stack.of(scope).resolve(value));
}

function flatten(node: unknown): string {
  if (typeof node === 'string') return node;
  if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (Array.isArray(record['Fn::Join'])) {
      const [delimiter, items] = record['Fn::Join'] as [string, unknown[]];
      return items.map(flatten).join(delimiter);
    }
    if (Array.isArray(record['Fn::GetAtt'])) {
      const [resource, attribute] = record['Fn::GetAtt'] as [unknown, unknown];
      return `<${flatten(resource)}.${flatten(attribute)}>`;
    }
    if ('Ref' in record) return `<${flatten(record.Ref)}>`;
  }
  return JSON.stringify(node);
}
