module.exports = { ...require('../../jest.preset.js'), displayName: 'head-trainer', rootDir: __dirname };
