module.exports = {
  apps: [
    {
      name: 'gateway',
      script: 'services/gateway/index.js',
      env: { PORT: 42340, SERVICE: 'gateway' },
      out_file: './logs/gateway.out.log',
      error_file: './logs/gateway.err.log',
      time: true,
    },
    {
      name: 'users',
      script: 'services/users/index.js',
      instances: 2,
      exec_mode: 'cluster',
      env: { PORT: 42341, SERVICE: 'users' },
    },
    {
      name: 'mailer',
      script: 'services/mailer/index.js',
      env: { SERVICE: 'mailer' },
      autorestart: false,
    },
  ],
};
