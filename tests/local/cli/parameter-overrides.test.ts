import { CliUsageError } from '../../../packages/local/src/cli/cli-usage-error';
import { parseParameterOverrides } from '../../../packages/local/src/cli/parameter-overrides';

describe('--parameter-overrides', () => {
  it('reads the Key=Value form, several pairs in one value', () => {
    expect(parseParameterOverrides(['StageName=dev Greeting=hi'])).toEqual({ StageName: 'dev', Greeting: 'hi' });
  });

  it('reads the ParameterKey=,ParameterValue= form, mixed with the short one', () => {
    expect(
      parseParameterOverrides([
        'ParameterKey=StageName,ParameterValue=dev Greeting=hi ParameterKey=Empty,ParameterValue=',
      ]),
    ).toEqual({ StageName: 'dev', Greeting: 'hi', Empty: '' });
  });

  it('keeps quoted spaces, equals signs and commas in values, and honours backslash escapes', () => {
    expect(
      parseParameterOverrides([`Greeting="hello world" Url='https://x.example/?a=b,c' Quote=say\\"hi\\"`]),
    ).toEqual({ Greeting: 'hello world', Url: 'https://x.example/?a=b,c', Quote: 'say"hi"' });
  });

  it('adds the pairs of every occurrence of the flag, the later value of a key winning', () => {
    expect(parseParameterOverrides(['A=1 B=2', 'B=3'])).toEqual({ A: '1', B: '3' });
  });

  it.each([
    ['a word without =', 'Greeting'],
    ['a key that is no parameter name', 'my-key=1'],
    ['an empty key', '=1'],
    ['an unclosed quote', 'Greeting="hello'],
  ])('rejects %s with a usage error that quotes it', (_case, text) => {
    expect(() => parseParameterOverrides([text])).toThrow(CliUsageError);
    expect(() => parseParameterOverrides([text])).toThrow(/--parameter-overrides/);
  });
});
