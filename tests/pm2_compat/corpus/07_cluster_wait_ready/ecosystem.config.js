module.exports = {
  apps: [
    {
      name: 'picmory',
      script: './dist/main.js',
      instances: 2,
      exec_mode: 'cluster',
      wait_ready: true, // new_process ready
      listen_timeout: 50000, // new_process ready timeout
      kill_timeout: 5000, // old_process kill timeout
      env: { PORT: 42070 },
    },
  ],
};
