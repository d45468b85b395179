import {
  describeValidationError,
  isValidationError,
  object,
  optional,
  present,
  string,
  text,
  url,
  validate,
  wholeNumber,
} from '../../src/validation';

const schema = object({
  name: string(),
  count: wholeNumber(1, 5),
  tag: optional(text(2, 3)),
  link: optional(url()),
  body: present,
});

function problems(data: unknown): string {
  try {
    validate(schema, data);
    return 'valid';
  } catch (error) {
    if (!isValidationError(error)) throw error;
    return describeValidationError(error, 'frame');
  }
}

describe('validation messages', () => {
  it('says which fields are missing', () => {
    expect(problems({})).toBe('"name": is required; "count": is required; "body": is required');
  });

  it('names the expected type of a wrong one', () => {
    expect(problems({ name: 1, count: 'x', body: 0 })).toBe('"name": must be a string; "count": must be a number');
  });

  it('states ranges and formats in plain words', () => {
    expect(problems({ name: 'a', count: 1.5, tag: 'abcd', link: 'nope', body: null })).toBe(
      '"count": must be a whole number; "tag": must be at most 3 characters; "link": must be a valid url',
    );
    expect(problems({ name: 'a', count: 9, tag: 'a', body: 'x' })).toBe(
      '"count": must be at most 5; "tag": must be at least 2 characters',
    );
  });

  it('accepts a valid value', () => {
    expect(problems({ name: 'a', count: 3, body: false })).toBe('valid');
  });
});
