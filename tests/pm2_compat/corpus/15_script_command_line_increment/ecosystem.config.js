module.exports = {
  apps : [{
    name   : "Serie",
    script : "npm run start",
    instances: 1,
    env: {
      PORT: 42150
    },
    increment_var : 'PORT',
  }]
}
