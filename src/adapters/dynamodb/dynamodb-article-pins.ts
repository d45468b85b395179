import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Article } from '../../domain/ports/article-source';
import type { ArticlePins } from '../article/article-pins';
import { ArticleSourceError } from '../article/article-source-error';
import { keys } from './keys';
import { type Item, type TableContext, unlessConditionFails } from './table';

/** DynamoDB refuses an item over 400 KB, counting attribute names and values in UTF-8. */
const MAX_ITEM_BYTES = 400 * 1024;

/**
 * Pins an article on one item per source, `ARTICLE#{source}` / `PINNED`, with no TTL: a cursor saved
 * against it must keep pointing into the same text. The pin is created with a conditional update (not a
 * put) so that the feed worker needs no more than GetItem and UpdateItem. Delete the item to move to a
 * newer revision; cursors saved against the old one then start over (see the feed use case).
 */
export class DynamoDbArticlePins implements ArticlePins {
  constructor(private readonly table: TableContext) {}

  async get(source: string): Promise<Article | undefined> {
    const { Item } = await this.table.client.send(
      new GetCommand({ TableName: this.table.tableName, Key: keys.articlePin(source), ConsistentRead: true }),
    );
    return Item && fromPinItem(Item);
  }

  async pinFirst(source: string, article: Article): Promise<Article> {
    const item = {
      ...keys.articlePin(source),
      title: article.title,
      revision: article.revision,
      text: article.text,
      pinnedAt: this.table.clock.now().toISOString(),
    };
    const bytes = itemBytes(item);
    if (bytes > MAX_ITEM_BYTES) {
      throw new ArticleSourceError(
        `Article "${article.title}" (revision ${article.revision}) is ${Math.ceil(bytes / 1024)} KB, over DynamoDB's 400 KB item limit; choose a shorter article.`,
      );
    }
    const pinned = await unlessConditionFails(
      this.table.client.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: keys.articlePin(source),
          UpdateExpression: 'SET title = :title, revision = :revision, #text = :text, pinnedAt = :pinnedAt',
          ConditionExpression: 'attribute_not_exists(pk)',
          ExpressionAttributeNames: { '#text': 'text' },
          ExpressionAttributeValues: {
            ':title': item.title,
            ':revision': item.revision,
            ':text': item.text,
            ':pinnedAt': item.pinnedAt,
          },
        }),
      ),
    );
    if (pinned) return { ...article };
    const winner = await this.get(source);
    if (!winner) throw new ArticleSourceError(`The pinned article of ${source} vanished while it was being pinned.`);
    return winner;
  }
}

function fromPinItem(item: Item): Article {
  const { title, revision, text } = item;
  if (typeof title !== 'string' || typeof revision !== 'string' || typeof text !== 'string') {
    throw new ArticleSourceError(`The pinned article item ${String(item.pk)} is malformed.`);
  }
  return { title, revision, text };
}

function itemBytes(item: Record<string, string>): number {
  return Object.entries(item).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(value),
    0,
  );
}
