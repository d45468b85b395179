import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCloudFormationYaml } from '../packages/local/src/cfn-yaml';
import { loadConfig } from '../src/config';

const template = parseCloudFormationYaml(readFileSync(join(__dirname, '..', 'template.yaml'), 'utf8')) as {
  Parameters: Record<string, { Default: number; MinValue?: number; MaxValue?: number }>;
  Globals: { Function: { Environment: { Variables: Record<string, unknown> } } };
};

/** Each per-connection limit: its template parameter and the variable that carries it to the functions. */
const LIMIT_SETTINGS: Array<[parameter: string, variable: string]> = [
  ...['Publish', 'Subscribe', 'Read', 'Chat', 'Session'].flatMap(
    (routeClass): Array<[string, string]> => [
      [`${routeClass}RatePerSecond`, `${routeClass.toUpperCase()}_RATE_PER_SECOND`],
      [`${routeClass}Burst`, `${routeClass.toUpperCase()}_BURST`],
    ],
  ),
  ['MaxSubscriptionsPerConnection', 'MAX_SUBSCRIPTIONS_PER_CONNECTION'],
];
const base = { TABLE_NAME: 'table', TOKEN_SECRET: 'a-secret-of-sixteen-characters' };

describe('the per-connection limits, from template parameter to validated configuration', () => {
  it.each(LIMIT_SETTINGS)(
    '%s reaches every function as %s, and both accept exactly the same range',
    (parameter, variable) => {
      const declared = template.Parameters[parameter];
      const { MinValue: min, MaxValue: max, Default: fallback } = declared ?? {};

      expect(template.Globals.Function.Environment.Variables[variable]).toEqual({ Ref: parameter });
      expect([min, max]).toEqual([1, 1000]);
      expect(loadConfig({ ...base })[variable as keyof ReturnType<typeof loadConfig>]).toBe(fallback);
      expect(loadConfig({ ...base, [variable]: String(min) })[variable as keyof ReturnType<typeof loadConfig>]).toBe(
        min,
      );
      expect(loadConfig({ ...base, [variable]: String(max) })[variable as keyof ReturnType<typeof loadConfig>]).toBe(
        max,
      );
      expect(() => loadConfig({ ...base, [variable]: String(Number(max) + 1) })).toThrow(variable);
      expect(() => loadConfig({ ...base, [variable]: '0' })).toThrow(variable);
    },
  );
});
