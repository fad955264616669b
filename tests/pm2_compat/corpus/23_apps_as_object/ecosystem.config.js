module.exports = {
  apps: {
    name: 'lonely',
    script: 'worker.js',
    env: { ROLE: 'lonely' },
  },
};
