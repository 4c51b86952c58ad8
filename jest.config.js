// Runs every project's specs. Integration specs (*.int.spec.ts) expect Postgres and Kafka:
// `npm run test:all` starts them first.
const { existsSync, readdirSync } = require('node:fs');
const path = require('node:path');

const projectConfigs = ['libs', 'apps']
  .flatMap((dir) => (existsSync(path.join(__dirname, dir)) ? readdirSync(path.join(__dirname, dir)).map((name) => `${dir}/${name}/jest.config.js`) : []))
  .concat(['tools/jest.config.js'])
  .filter((p) => existsSync(path.join(__dirname, p)));

module.exports = { projects: projectConfigs.map((p) => `<rootDir>/${p}`) };
