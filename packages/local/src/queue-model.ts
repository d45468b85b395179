import type { CfnValue } from './cfn-yaml';
import type { IntrinsicResolver } from './intrinsic-resolver';

/** An `AWS::SQS::Queue` as declared in the template (what the local emulator needs of it). */
export interface QueueModel {
  logicalId: string;
  /** Queue attributes as SQS takes them (strings), intrinsics resolved; the redrive target is a logical id. */
  attributes: Record<string, string>;
  /** `RedrivePolicy`: the dead-letter queue (logical id) and the receives before a message moves there. */
  redrive?: { deadLetterQueueId: string; maxReceiveCount: number };
}

/** A function's `Type: SQS` event: the event source mapping, with AWS's defaults where the template is silent. */
export interface SqsEventSourceModel {
  functionId: string;
  eventName: string;
  queueId: string;
  /** Records per invocation (AWS default 10). */
  batchSize: number;
  /** How long a batch may wait to fill up (AWS default 0). */
  maximumBatchingWindowSeconds: number;
  /** `FunctionResponseTypes: [ReportBatchItemFailures]`: the handler may return the records that failed. */
  reportBatchItemFailures: boolean;
  /** `ScalingConfig.MaximumConcurrency`: invocations of this source at once (AWS default: up to 1,000). */
  maximumConcurrency?: number;
}

type Obj = Record<string, CfnValue>;
const asObj = (value: CfnValue | undefined): Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? value : {};

/** The logical id in `!GetAtt Id.Arn` (the only way a template names one of its own queues by ARN). */
function getAttTarget(value: CfnValue | undefined): string | undefined {
  const parts = asObj(value)['Fn::GetAtt'];
  if (Array.isArray(parts)) return parts[0] === undefined ? undefined : String(parts[0]);
  return typeof parts === 'string' ? parts.split('.')[0] : undefined;
}

const QUEUE_ATTRIBUTES = [
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'VisibilityTimeout',
];

export function readQueue(logicalId: string, properties: Obj, resolver: IntrinsicResolver): QueueModel {
  const attributes: Record<string, string> = {};
  for (const name of QUEUE_ATTRIBUTES) {
    const value = resolver.resolveString(properties[name]);
    if (value !== undefined) attributes[name] = value;
  }
  const policy = asObj(properties.RedrivePolicy);
  const deadLetterQueueId = getAttTarget(policy.deadLetterTargetArn);
  if (deadLetterQueueId === undefined) return { logicalId, attributes };
  return {
    logicalId,
    attributes,
    redrive: { deadLetterQueueId, maxReceiveCount: Number(resolver.resolve(policy.maxReceiveCount) ?? 10) },
  };
}

export function readSqsEventSources(
  functionId: string,
  events: Obj,
  resolver: IntrinsicResolver,
): SqsEventSourceModel[] {
  const sources: SqsEventSourceModel[] = [];
  for (const [eventName, event] of Object.entries(events)) {
    if (asObj(event).Type !== 'SQS') continue;
    const properties = asObj(asObj(event).Properties);
    const queueId = getAttTarget(properties.Queue);
    if (queueId === undefined) continue;
    const types = resolver.resolve(properties.FunctionResponseTypes);
    const maximumConcurrency = resolver.resolve(asObj(properties.ScalingConfig).MaximumConcurrency);
    sources.push({
      functionId,
      eventName,
      queueId,
      batchSize: Number(resolver.resolve(properties.BatchSize) ?? 10),
      maximumBatchingWindowSeconds: Number(resolver.resolve(properties.MaximumBatchingWindowInSeconds) ?? 0),
      reportBatchItemFailures: Array.isArray(types) && types.includes('ReportBatchItemFailures'),
      ...(maximumConcurrency === undefined ? {} : { maximumConcurrency: Number(maximumConcurrency) }),
    });
  }
  return sources;
}
