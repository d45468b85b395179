import { createHash } from 'node:crypto';
import { sha256Hex } from '../../packages/client/src/wire/sha256';

const reference = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

describe('sha256Hex', () => {
  it('matches node:crypto on every length across the padding boundaries (0 to 200 bytes)', () => {
    const inputs = Array.from({ length: 201 }, (_, n) => 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(6).slice(0, n));

    expect(inputs.map(sha256Hex)).toEqual(inputs.map(reference));
  });

  it('hashes the UTF-8 bytes of text beyond ASCII, and a long id', () => {
    const inputs = ['élise@jwt', 'Аlice 🌍 \u202e@iam', 'arn:aws:sts::123456789012:assumed-role/app/x@iam'.repeat(40)];

    expect(inputs.map(sha256Hex)).toEqual(inputs.map(reference));
  });
});
