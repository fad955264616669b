// ecosystem.config.cjs
module.exports = {
  apps: [
    {
      name: 'node-quant',
      script: 'npm',
      args: 'run start',
      env: {
        NODE_ENV: 'development',
        PORT: 42310
      },
      env_production: {
        NODE_ENV: 'production',
        PORT: 42311
      }
    }
  ]
};
