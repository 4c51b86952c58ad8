module.exports = { ...require('../../jest.preset.js'), displayName: 'pipeline-orchestrator', rootDir: __dirname };
