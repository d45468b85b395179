import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SessionHistory, SessionRecord } from '../../domain/ports/session-history';
import { keys } from './keys';
import { queryAll } from './query-pages';
import { epochSeconds, type TableContext } from './table';

export interface DynamoDbSessionHistoryOptions {
  /** Records are kept as long as an inactive session is (the user's TTL). */
  retentionSeconds: number;
}

/** Session records sit in the user's partition, newest last by sort key, so listing them is one Query. */
export class DynamoDbSessionHistory implements SessionHistory {
  constructor(
    private readonly table: TableContext,
    private readonly options: DynamoDbSessionHistoryOptions,
  ) {}

  async record(userId: string, session: SessionRecord): Promise<void> {
    await this.table.client.send(
      new PutCommand({
        TableName: this.table.tableName,
        Item: {
          ...keys.userSession(userId, session.disconnectedAt, session.connectionId),
          ...session,
          expiresAt: epochSeconds(this.table.clock.now()) + this.options.retentionSeconds,
        },
      }),
    );
  }

  async list(userId: string, limit: number): Promise<SessionRecord[]> {
    const items = await queryAll(
      this.table,
      {
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :session)',
        ExpressionAttributeValues: { ':pk': keys.userPartition(userId), ':session': keys.SESSION_PREFIX },
        ScanIndexForward: false,
        Limit: limit,
      },
      limit,
    );
    return items.map((item) => ({
      connectionId: String(item.connectionId),
      connectedAt: String(item.connectedAt),
      disconnectedAt: String(item.disconnectedAt),
      durationMs: Number(item.durationMs),
      ...(typeof item.sourceIp === 'string' ? { sourceIp: item.sourceIp } : {}),
      ...(typeof item.userAgent === 'string' ? { userAgent: item.userAgent } : {}),
    }));
  }
}
