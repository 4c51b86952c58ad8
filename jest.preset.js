// Shared Jest settings. Types are checked by `npm run typecheck`; Jest only transpiles.
const path = require('node:path');
const root = __dirname;

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: path.join(root, 'tsconfig.spec.json'), diagnostics: false }],
  },
  moduleFileExtensions: ['ts', 'tsx', 'js', 'json'],
  moduleNameMapper: {
    '^@tern/contracts/proto$': path.join(root, 'libs/contracts/src/proto-path.ts'),
    '^@tern/(api|db|messaging|ml|pipeline)/testing$': path.join(root, 'libs/$1/src/testing/index.ts'),
    '^@tern/(api|config|contracts|db|messaging|ml|pipeline)$': path.join(root, 'libs/$1/src/index.ts'),
  },
  testMatch: ['**/?(*.)+(spec).ts'],
};
