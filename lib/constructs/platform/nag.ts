import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag's spelling of a resource in a finding id (`AwsSolutions-IAM5[Resource::<this>]`): the resolved
 * value with Fn::Join flattened, each Ref written `<Name>` and each Fn::GetAtt `<Name.Attribute>`, as its
 * flattenCfnReference does.
 */
export function nagResourceId(scope: IConstruct, value: string): string {
  const visit = (node: unknown): string => {
    if (typeof node === 'string') return node;
    if (typeof node === 'object' && node !== null) {
      const join = (node as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
      if (join) return join[1].map(visit).join(join[0]);
      const ref = (node as { Ref?: string }).Ref;
      if (ref !== undefined) return `<${ref}>`;
      const getAtt = (node as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
      if (getAtt) return `<${getAtt[0]}.${getAtt[1]}>`;
    }
    return JSON.stringify(node);
  };
  return visit(Stack.of(scope).resolve(value));
}

/** Acknowledges a wildcard permission on exactly this resource ARN pattern, with the reason it is needed. */
export function acknowledgeWildcardResource(scope: IConstruct, resource: string, reason: string): void {
  Validations.of(scope).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${nagResourceId(scope, resource)}]`,
    reason,
  });
}
