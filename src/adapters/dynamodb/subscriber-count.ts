import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Channel } from '../../domain/model';
import { keys } from './keys';
import type { TableContext } from './table';

/**
 * Moves a channel's subscriber counter (an atomic ADD on one item). The count only chooses between direct
 * and queued fan-out, never who receives: a drift of a few (an unsubscribe racing a disconnect) is harmless.
 */
export async function adjustSubscriberCount(table: TableContext, channel: Channel, delta: number): Promise<void> {
  await table.client.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: keys.subscriberCount(channel),
      UpdateExpression: 'ADD subscribers :delta',
      ExpressionAttributeValues: { ':delta': delta },
    }),
  );
}
