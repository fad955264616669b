//
// pm2 configuration file
//
module.exports = {
  apps: [{
    name: 'web',
    script: './bin/www',
    // change name of instance var because of node-config
    instance_var: 'INSTANCE_ID',
    env: {
      'NODE_ENV': 'development',
      'port': 42170
    },
    env_production: {
      'NODE_ENV': 'production',
      'NODE_CONFIG_ENV': 'production',
      'port': 42170
    }
  }]
}
