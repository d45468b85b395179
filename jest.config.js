/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // middy and fauxqs (the local SQS emulator) ship ESM only: compile them to CommonJS with the rest.
  transformIgnorePatterns: ['/node_modules/(?!(@middy|fauxqs)/)'],
  // fauxqs exports only an `import` condition, which jest's CommonJS resolver does not match.
  moduleNameMapper: { '^fauxqs$': '<rootDir>/node_modules/fauxqs/dist/app.js' },
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/tests/support/summary-reporter.js'],
};
