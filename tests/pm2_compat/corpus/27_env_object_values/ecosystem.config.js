module.exports = {
  apps: [{
    name: 'typed-env',
    script: 'server.js',
    env: {
      PORT: 42270,
      DEBUG: false,
      RETRIES: 3,
      FEATURES: { search: true },
    },
  }],
};
