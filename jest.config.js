/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // middy, fauxqs (the local SQS emulator) and jose (the local token issuer) ship ESM only: compile them to CommonJS with the rest.
  transformIgnorePatterns: ['/node_modules/(?!(@middy|fauxqs|jose)/)'],
  moduleNameMapper: {
    // fauxqs exports only an `import` condition, which jest's CommonJS resolver does not match.
    '^fauxqs$': '<rootDir>/node_modules/fauxqs/dist/app.js',
    // The client package is consumed from source, as the front end does: its ESM `./x.js` imports name `./x.ts`.
    '^@switchboard/client$': '<rootDir>/packages/client/src/index.ts',
    '^@switchboard/client/node$': '<rootDir>/packages/client/src/node.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/tests/support/summary-reporter.js'],
};
