module.exports = {
  apps: [{
    name: 'tuned',
    script: './server.js',
    node_args: '--max-old-space-size=256',
    env: { PORT: 42280 },
  }, {
    name: 'tuned-worker',
    script: './worker.js',
    interpreter_args: ['--no-warnings'],
  }],
};
