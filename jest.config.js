/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // middy ships ESM only: compile it to CommonJS with the rest.
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  // The client package is consumed from source, as the front end does: its ESM `./x.js` imports name `./x.ts`.
  moduleNameMapper: {
    '^@switchboard/client$': '<rootDir>/packages/client/src/index.ts',
    '^@switchboard/client/node$': '<rootDir>/packages/client/src/node.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/tests/support/summary-reporter.js'],
};
