import { CliUsageError } from './cli-usage-error';

const KEY = /^[A-Za-z0-9]+$/;
const LONG_FORM = /^ParameterKey=([^,]*),ParameterValue=(.*)$/s;

/**
 * Splits on unquoted whitespace; double or single quotes group (and are removed), a backslash escapes the next
 * character. Written by hand: SAM CLI's own grammar is a regular expression in Python, and the shell-word
 * packages on npm also expand variables and globs, which SAM does not.
 */
function words(text: string): string[] {
  const result: string[] = [];
  let current = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i] as string;
    if (char === '\\' && i + 1 < text.length) {
      current += text[i + 1];
      i += 1;
      inWord = true;
    } else if (quote) {
      if (char === quote) quote = null;
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) result.push(current);
      current = '';
      inWord = false;
    } else {
      current += char;
      inWord = true;
    }
  }
  if (quote) throw new CliUsageError(`--parameter-overrides: unclosed ${quote} in ${JSON.stringify(text)}`);
  if (inWord) result.push(current);
  return result;
}

/**
 * `--parameter-overrides` as `sam local start-api` reads it: `Key=Value Key2=Value2` or
 * `ParameterKey=Key,ParameterValue=Value ...` (the forms mix), values quoted when they hold spaces.
 * Each occurrence of the flag adds its pairs; a later value for a key wins.
 */
export function parseParameterOverrides(occurrences: readonly string[]): Record<string, string> {
  const parameters: Record<string, string> = {};
  for (const word of occurrences.flatMap(words)) {
    const long = LONG_FORM.exec(word);
    const equals = word.indexOf('=');
    const [key, value] = long ? [long[1] ?? '', long[2] ?? ''] : [word.slice(0, equals), word.slice(equals + 1)];
    if (!long && equals < 0)
      throw new CliUsageError(
        `--parameter-overrides: ${JSON.stringify(word)} is not Key=Value or ParameterKey=Key,ParameterValue=Value`,
      );
    if (!KEY.test(key))
      throw new CliUsageError(
        `--parameter-overrides: ${JSON.stringify(key)} is not a parameter name (letters and digits only)`,
      );
    parameters[key] = value;
  }
  return parameters;
}
