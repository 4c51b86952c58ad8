// Browser end-to-end tests of the dashboard against the whole running system (Chromium via playwright-core).
module.exports = { ...require('../../jest.preset.js'), displayName: 'dashboard-e2e', rootDir: __dirname };
