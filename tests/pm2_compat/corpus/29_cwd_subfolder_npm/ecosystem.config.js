module.exports = {
  apps: [{
    name: 'app',
    cwd: "app",
    script: 'npm', // or your entry file
    args: "run start",
    instances: 1,
    autorestart: true,
    watch: false,
    max_memory_restart: '1G',
    env: {
      NODE_ENV: 'development',
      PORT: 42290
    },
    error_file: './logs/app-error.log',
    out_file: './logs/app-out.log',
    log_date_format: 'YYYY-MM-DD HH:mm:ss',
    merge_logs: true
  }]
};
