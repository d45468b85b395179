import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { join } from 'node:path';
import { startLocalStack } from '../src/local/stack';
const F = join(__dirname, '..', 'tests/local/fixtures');
(async () => {
  const stack = await startLocalStack({ templatePath: join(F, 'queue-template.yaml'), projectRoot: F, wsPort: 0, httpPort: 0, webPort: null, dynamoPort: 0, dataDir: null });
  const sqs = new SQSClient({ region: 'us-east-1', endpoint: stack.sqsEndpoint!, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  await sqs.send(new SendMessageCommand({ QueueUrl: stack.queueUrl('JobsQueue'), MessageBody: 'hello' }));
  await new Promise((r) => setTimeout(r, 3000));
  await stack.stop();
})();
