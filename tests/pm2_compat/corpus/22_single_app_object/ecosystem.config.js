module.exports = {
  name: 'single',
  script: './worker.js',
  env: { NODE_ENV: 'production', ROLE: 'single' },
};
