module.exports = { ...require('../../jest.preset.js'), displayName: 'feature-extractor', rootDir: __dirname };
