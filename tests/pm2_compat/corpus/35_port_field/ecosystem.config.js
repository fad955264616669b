module.exports = {
    apps: [
      {
        name: 'ingeniumfe',
        port: 42350,
        script: 'server.js',
        watch: false,
        env: {
          NODE_ENV: 'development'
        },
        env_production: {
          NODE_ENV: 'production'
        }
      }
    ]
  };
