// Component and logic tests (jsdom). The browser end-to-end test is src/dashboard.e2e.int.spec.ts (node).
const path = require('node:path');
const preset = require('../../jest.preset.js');

module.exports = {
  ...preset,
  displayName: 'dashboard',
  rootDir: __dirname,
  testMatch: ['**/?(*.)+(spec).ts?(x)'],
  transform: { '^.+\\.tsx?$': ['ts-jest', { tsconfig: path.join(__dirname, 'tsconfig.spec.json'), diagnostics: false }] },
  moduleNameMapper: { ...preset.moduleNameMapper, '^@/(.*)$': path.join(__dirname, 'src/$1'), '\\.css$': path.join(__dirname, 'src/lib/testing/style-stub.js') },
};
