import type { QueueModel } from './queue-model';

export interface LocalQueuesOptions {
  queues: QueueModel[];
  region: string;
}

/** The template's queues in a running SQS emulator. */
export interface LocalQueues {
  /** Endpoint for `@aws-sdk/client-sqs` (`endpoint`), what the functions get as SQS_ENDPOINT. */
  endpoint: string;
  /** What `!Ref` of a queue yields: its URL. */
  urlOf(logicalId: string): string;
  /** What `!GetAtt Queue.Arn` yields. */
  arnOf(logicalId: string): string;
  stop(): Promise<void>;
}

/**
 * Runs the template's SQS queues in fauxqs, a maintained SQS emulator that runs in this process and
 * speaks the JSON protocol of the unmodified AWS SDK v3, with visibility timeouts and dead-letter redrive
 * (`maxReceiveCount`) as SQS has them. Queues are named by logical id, as tables are; dead-letter queues
 * are created first, since a redrive policy names its target by ARN.
 */
export async function startLocalQueues(options: LocalQueuesOptions): Promise<LocalQueues> {
  // fauxqs ships ESM only (an `import` export condition alone): a dynamic import reaches it from CommonJS.
  const { startFauxqs } = await import('fauxqs');
  const server = await startFauxqs({ port: 0, logger: false, host: 'localhost', defaultRegion: options.region });
  const created = new Map<string, { queueUrl: string; queueArn: string }>();
  const create = (queue: QueueModel, seen: Set<string>): { queueUrl: string; queueArn: string } => {
    const existing = created.get(queue.logicalId);
    if (existing) return existing;
    if (seen.has(queue.logicalId)) throw new Error(`Redrive cycle through ${queue.logicalId}`);
    seen.add(queue.logicalId);
    const attributes = { ...queue.attributes };
    if (queue.redrive) {
      const target = options.queues.find((q) => q.logicalId === queue.redrive?.deadLetterQueueId);
      if (!target)
        throw new Error(`${queue.logicalId}: no dead-letter queue ${queue.redrive.deadLetterQueueId} in the template`);
      attributes.RedrivePolicy = JSON.stringify({
        deadLetterTargetArn: create(target, seen).queueArn,
        maxReceiveCount: String(queue.redrive.maxReceiveCount),
      });
    }
    const made = server.createQueue(queue.logicalId, { region: options.region, attributes });
    created.set(queue.logicalId, made);
    return made;
  };
  try {
    for (const queue of options.queues) create(queue, new Set());
  } catch (error) {
    await server.stop();
    throw error;
  }
  const lookup = (logicalId: string) => {
    const queue = created.get(logicalId);
    if (!queue) throw new Error(`No queue ${logicalId} in the template`);
    return queue;
  };
  return {
    endpoint: server.address,
    urlOf: (logicalId) => lookup(logicalId).queueUrl,
    arnOf: (logicalId) => lookup(logicalId).queueArn,
    stop: () => server.stop(),
  };
}
