import type { CfnValue } from './cfn-yaml';

/** How intrinsics resolve locally, where there is no CloudFormation to do it. */
export interface IntrinsicContext {
  /** Parameter values by name: template defaults merged with local overrides. */
  parameters: Record<string, string>;
  /** Template `Conditions` section (unevaluated). */
  conditions: Record<string, CfnValue>;
  /** Resource types by logical id, to make local names and fake ARNs. */
  resourceTypes: Record<string, string>;
  /** What `!Ref X` means for a resource (default: its logical id, which is also its local name). */
  refResource?: (logicalId: string, type: string) => string;
  region?: string;
  accountId?: string;
  stackName?: string;
}

/** Thrown for an intrinsic that cannot be evaluated without AWS (`Fn::ImportValue`, unknown references). */
export class IntrinsicResolutionError extends Error {
  override name = 'IntrinsicResolutionError';
}

/** A resolver from unresolved template values to plain local values. `undefined` is `AWS::NoValue`. */
export interface IntrinsicResolver {
  resolve(value: CfnValue | undefined): unknown;
  resolveString(value: CfnValue | undefined): string | undefined;
  condition(name: string): boolean;
}

/** `name` is what `!Ref` yields for the resource (a table's `TableName`), which the ARN of some types holds. */
function fakeArn(logicalId: string, name: string, type: string, region: string, accountId: string): string {
  switch (type) {
    case 'AWS::DynamoDB::Table':
    case 'AWS::Serverless::SimpleTable':
      return `arn:aws:dynamodb:${region}:${accountId}:table/${name}`;
    case 'AWS::Serverless::Function':
    case 'AWS::Lambda::Function':
      return `arn:aws:lambda:${region}:${accountId}:function:${logicalId}`;
    case 'AWS::SecretsManager::Secret':
      return `arn:aws:secretsmanager:${region}:${accountId}:secret:${logicalId}`;
    default:
      return `arn:aws:local:${region}:${accountId}:${logicalId}`;
  }
}

function isObject(value: unknown): value is Record<string, CfnValue> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Creates a resolver for `Ref`, `Fn::Sub`, `Fn::GetAtt`, `Fn::If`, `Fn::Join`... against local values. */
export function createIntrinsicResolver(context: IntrinsicContext): IntrinsicResolver {
  const region = context.region ?? 'us-east-1';
  const accountId = context.accountId ?? '123456789012';
  const pseudo: Record<string, string> = {
    'AWS::Region': region,
    'AWS::AccountId': accountId,
    'AWS::StackName': context.stackName ?? 'switchboard-local',
    'AWS::StackId': `arn:aws:cloudformation:${region}:${accountId}:stack/${context.stackName ?? 'switchboard-local'}/local`,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const conditionCache = new Map<string, boolean>();

  const ref = (name: string): string | undefined => {
    if (name === 'AWS::NoValue') return undefined;
    const pseudoValue = pseudo[name];
    if (pseudoValue !== undefined) return pseudoValue;
    const parameter = context.parameters[name];
    if (parameter !== undefined) return parameter;
    const type = context.resourceTypes[name];
    if (type !== undefined) return context.refResource ? context.refResource(name, type) : name;
    throw new IntrinsicResolutionError(`Unresolvable reference: ${name}`);
  };

  const getAtt = (logicalId: string, attribute: string): string => {
    const type = context.resourceTypes[logicalId];
    if (type === undefined) throw new IntrinsicResolutionError(`Unknown resource in GetAtt: ${logicalId}`);
    if (attribute === 'Arn') {
      const name = type.endsWith('Table') ? (ref(logicalId) ?? logicalId) : logicalId;
      return fakeArn(logicalId, name, type, region, accountId);
    }
    return `${logicalId}.${attribute}`;
  };

  const sub = (template: string, variables: Record<string, unknown>): string =>
    template.replace(/\$\{([^}]*)\}/g, (_match, expression: string) => {
      if (expression.startsWith('!')) return `\${${expression.slice(1)}}`;
      const name = expression.trim();
      if (name in variables) return String(variables[name]);
      const dot = name.indexOf('.');
      if (dot > 0 && !name.startsWith('AWS::')) return getAtt(name.slice(0, dot), name.slice(dot + 1));
      return ref(name) ?? '';
    });

  const condition = (name: string): boolean => {
    const cached = conditionCache.get(name);
    if (cached !== undefined) return cached;
    const definition = context.conditions[name];
    if (definition === undefined) throw new IntrinsicResolutionError(`Unknown condition: ${name}`);
    const result = Boolean(resolve(definition));
    conditionCache.set(name, result);
    return result;
  };

  const list = (value: unknown, fn: string): unknown[] => {
    if (!Array.isArray(value)) throw new IntrinsicResolutionError(`${fn} expects a list`);
    return value;
  };

  const resolveFunction = (key: string, argument: CfnValue): unknown => {
    switch (key) {
      case 'Ref':
        return ref(String(argument));
      case 'Condition':
        return condition(String(argument));
      case 'Fn::GetAtt': {
        const parts = list(typeof argument === 'string' ? argument.split('.') : resolve(argument), key);
        return getAtt(String(parts[0]), parts.slice(1).map(String).join('.'));
      }
      case 'Fn::Sub': {
        if (typeof argument === 'string') return sub(argument, {});
        const [template, variables] = list(argument, key) as [CfnValue, CfnValue];
        const resolved = isObject(variables) ? (resolve(variables) as Record<string, unknown>) : {};
        return sub(String(resolve(template)), resolved);
      }
      case 'Fn::Join': {
        const [separator, values] = list(argument, key) as [CfnValue, CfnValue];
        return list(resolve(values), key)
          .filter((v) => v !== undefined)
          .map(String)
          .join(String(separator));
      }
      case 'Fn::Select': {
        const [index, values] = list(argument, key) as [CfnValue, CfnValue];
        return list(resolve(values), key)[Number(resolve(index))];
      }
      case 'Fn::Split': {
        const [separator, source] = list(argument, key) as [CfnValue, CfnValue];
        return String(resolve(source)).split(String(separator));
      }
      case 'Fn::If': {
        const [name, whenTrue, whenFalse] = list(argument, key) as [CfnValue, CfnValue, CfnValue];
        return condition(String(name)) ? resolve(whenTrue) : resolve(whenFalse);
      }
      case 'Fn::Equals': {
        const [left, right] = list(argument, key) as [CfnValue, CfnValue];
        return String(resolve(left)) === String(resolve(right));
      }
      case 'Fn::Not':
        return !resolve(list(argument, key)[0] as CfnValue);
      case 'Fn::And':
        return list(argument, key).every((v) => Boolean(resolve(v as CfnValue)));
      case 'Fn::Or':
        return list(argument, key).some((v) => Boolean(resolve(v as CfnValue)));
      case 'Fn::Base64':
        return Buffer.from(String(resolve(argument))).toString('base64');
      case 'Fn::GetAZs':
        return [`${region}a`, `${region}b`, `${region}c`];
      case 'Fn::ToJsonString':
        return JSON.stringify(resolve(argument));
      case 'Fn::Length':
        return list(resolve(argument), key).length;
      default:
        throw new IntrinsicResolutionError(`${key} cannot be resolved locally`);
    }
  };

  function resolve(value: CfnValue | undefined): unknown {
    if (Array.isArray(value)) return value.map(resolve).filter((v) => v !== undefined);
    if (!isObject(value)) return value;
    const keys = Object.keys(value);
    const only = keys[0];
    if (
      keys.length === 1 &&
      only !== undefined &&
      (only === 'Ref' || only === 'Condition' || only.startsWith('Fn::'))
    ) {
      return resolveFunction(only, value[only] as CfnValue);
    }
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const resolved = resolve(value[key]);
      if (resolved !== undefined) out[key] = resolved;
    }
    return out;
  }

  return {
    resolve,
    resolveString: (value) => {
      const resolved = resolve(value);
      return resolved === undefined || resolved === null ? undefined : String(resolved);
    },
    condition,
  };
}
