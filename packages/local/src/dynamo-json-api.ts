import { request } from 'node:http';

/**
 * One call of DynamoDB's JSON protocol to the embedded store, which the stack makes only to create the
 * template's tables. Written by hand rather than with `@aws-sdk/client-dynamodb` so that the stack's own
 * process does not load the SDK (about 16 MB): the functions load theirs in their own containers. dynalite
 * checks that a request is signed, not the signature.
 */
export function callDynamo<T>(endpoint: string, action: string, input: unknown): Promise<T> {
  const body = JSON.stringify(input);
  return new Promise((resolve, reject) => {
    const call = request(
      endpoint,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'content-length': Buffer.byteLength(body),
          'x-amz-target': `DynamoDB_20120810.${action}`,
          'x-amz-date': '20260101T000000Z',
          authorization:
            'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const parsed = (text ? JSON.parse(text) : {}) as T & { __type?: string; message?: string };
          if ((response.statusCode ?? 500) >= 400)
            reject(new Error(`DynamoDB ${action}: ${parsed.__type ?? response.statusCode} ${parsed.message ?? ''}`));
          else resolve(parsed);
        });
        response.on('error', reject);
      },
    );
    call.on('error', reject);
    call.end(body);
  });
}
