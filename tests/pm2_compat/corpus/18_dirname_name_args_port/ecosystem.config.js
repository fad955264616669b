/*global __dirname*/
const path = require('path');

module.exports = {
  apps : [{
    name: path.basename(__dirname),
    script: 'lib/app.js',
    args: '--port 42180',
    instances: 1,
    autorestart: true,
    watch: false,
    max_memory_restart: '1G',
    env: {
      NODE_ENV: 'development'
    },
    env_production: {
      NODE_ENV: 'production'
    }
  }]
};
