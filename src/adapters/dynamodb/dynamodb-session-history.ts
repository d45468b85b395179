import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SessionHistory, SessionPosition, SessionRecord } from '../../domain/ports/session-history';
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

  async list(userId: string, limit: number, before?: SessionPosition): Promise<SessionRecord[]> {
    // BETWEEN includes its ends: one more is read, and the record at `before` itself is dropped.
    const last = before && keys.userSession(userId, before.disconnectedAt, before.connectionId).sk;
    const items = await queryAll(
      this.table,
      {
        KeyConditionExpression: last
          ? 'pk = :pk AND sk BETWEEN :session AND :last'
          : 'pk = :pk AND begins_with(sk, :session)',
        ExpressionAttributeValues: {
          ':pk': keys.userPartition(userId),
          ':session': keys.SESSION_PREFIX,
          ...(last ? { ':last': last } : {}),
        },
        ScanIndexForward: false,
        Limit: limit + 1,
      },
      limit + 1,
    );
    return items
      .filter((item) => item.sk !== last)
      .slice(0, limit)
      .map((item) => ({
        connectionId: String(item.connectionId),
        connectedAt: String(item.connectedAt),
        disconnectedAt: String(item.disconnectedAt),
        durationMs: Number(item.durationMs),
        ...(typeof item.sourceIp === 'string' ? { sourceIp: item.sourceIp } : {}),
        ...(typeof item.userAgent === 'string' ? { userAgent: item.userAgent } : {}),
      }));
  }
}
