module.exports = {
  apps: [
    {
      name: 'omnizap-system',
      script: 'index.js',
      instances: 1,
      autorestart: true,
      watch: false,
      max_memory_restart: '1G',
      env: {
        NODE_ENV: 'development',
        PORT: 42100,
      },
      env_production: {
        NODE_ENV: 'production',
      },
      // wait for the 'ready' message
      wait_ready: true,
      listen_timeout: 10000,
      kill_timeout: 5000,
    },
  ],
};
