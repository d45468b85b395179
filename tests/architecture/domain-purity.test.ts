import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { findForbiddenImports, importSpecifiers, WIRE_ROOT } from './forbidden-imports';

const DOMAIN_ROOT = path.resolve(__dirname, '../../src/domain');
const SAMPLE_FILE = path.join(DOMAIN_ROOT, 'use-cases', 'sample.ts');

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.[cm]?[jt]sx?$/.test(entry.name) ? [full] : [];
  });
}

function violationsIn(source: string): string[] {
  return findForbiddenImports(source, SAMPLE_FILE, DOMAIN_ROOT).map((violation) => violation.specifier);
}

describe('domain purity', () => {
  const files = sourceFiles(DOMAIN_ROOT);

  it('finds the domain sources to check', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
    expect(files.map((file) => path.relative(DOMAIN_ROOT, file))).toContain(path.join('use-cases', 'connect.ts'));
  });

  it.each(files.map((file) => [path.relative(DOMAIN_ROOT, file), file]))(
    '%s imports no AWS SDK, Lambda, middy, Powertools, zod, Node built-in or outer layer',
    (_relative, file) => {
      const violations = findForbiddenImports(readFileSync(file, 'utf8'), file, DOMAIN_ROOT);

      expect(violations).toEqual([]);
    },
  );

  it.each(files.map((file) => [path.relative(DOMAIN_ROOT, file), file]))(
    '%s reads no environment variables',
    (_relative, file) => {
      expect(readFileSync(file, 'utf8')).not.toMatch(/\bprocess\s*\.\s*env\b/);
    },
  );
});

describe('the shared wire module', () => {
  const files = sourceFiles(WIRE_ROOT);

  it('holds the frames and the rules', () => {
    expect(files.map((file) => path.basename(file)).sort()).toEqual(expect.arrayContaining(['frames.ts', 'rules.ts']));
  });

  it.each(files.map((file) => [path.relative(WIRE_ROOT, file), file]))(
    '%s imports nothing outside the wire module',
    (_relative, file) => {
      const outside = importSpecifiers(readFileSync(file, 'utf8')).filter((specifier) => {
        if (!specifier.startsWith('.')) return true;
        const target = path.resolve(path.dirname(file), specifier);
        return path.relative(WIRE_ROOT, target).startsWith('..');
      });

      expect(outside).toEqual([]);
    },
  );
});

describe('the import checker', () => {
  it.each([
    ["import { DynamoDBClient } from '@aws-sdk/client-dynamodb';", '@aws-sdk/client-dynamodb'],
    ["import type { APIGatewayProxyEvent } from 'aws-lambda';", 'aws-lambda'],
    ["import middy from '@middy/core';", '@middy/core'],
    ["import { Logger } from '@aws-lambda-powertools/logger';", '@aws-lambda-powertools/logger'],
    ["import { z } from 'zod';", 'zod'],
    ["import { z } from 'zod/v4';", 'zod/v4'],
    ["import { randomUUID } from 'crypto';", 'crypto'],
    ["import { randomUUID } from 'node:crypto';", 'node:crypto'],
    ["import { readFile } from 'fs/promises';", 'fs/promises'],
    ["import * as http from 'http';", 'http'],
    ["import 'node:process';", 'node:process'],
    ["export { setTimeout } from 'timers';", 'timers'],
    ["const fs = require('fs');", 'fs'],
    ["const sdk = await import('@aws-sdk/lib-dynamodb');", '@aws-sdk/lib-dynamodb'],
    ["import fs = require('fs');", 'fs'],
    ["import { table } from '../../adapters/dynamodb/table';", '../../adapters/dynamodb/table'],
    [
      "import { SwitchboardClient } from '../../../packages/client/src/switchboard-client';",
      '../../../packages/client/src/switchboard-client',
    ],
  ])('catches %s', (source, specifier) => {
    expect(violationsIn(source)).toEqual([specifier]);
  });

  it('reads imports that span several lines', () => {
    const source = [
      'import {',
      '  DynamoDBClient,',
      '  type DynamoDBClientConfig,',
      "} from '@aws-sdk/client-dynamodb';",
    ].join('\n');

    expect(violationsIn(source)).toEqual(['@aws-sdk/client-dynamodb']);
  });

  it('lets relative imports inside the domain through', () => {
    const source = [
      "import type { Dependencies } from '../dependencies';",
      "import { fanOut, type FanOutResult } from './fan-out';",
      "export type { Clock } from '../ports/clock';",
    ].join('\n');

    expect(importSpecifiers(source)).toEqual(['../dependencies', './fan-out', '../ports/clock']);
    expect(violationsIn(source)).toEqual([]);
  });

  it('lets the shared wire module through, and nothing else of the client package', () => {
    const source = [
      "import type { ServerFrame } from '../../../packages/client/src/wire/frames';",
      "import { LIMITS } from '../../../packages/client/src/wire/rules';",
      "import { LIMITS } from '../../../packages/client/src/wire-like';",
    ].join('\n');

    expect(violationsIn(source)).toEqual(['../../../packages/client/src/wire-like']);
  });

  it('does not mistake look-alike package names for forbidden ones', () => {
    const source = ["import a from 'zodiac';", "import b from 'aws-lambda-like';", "import c from 'fsm';"].join('\n');

    expect(violationsIn(source)).toEqual([]);
  });
});
