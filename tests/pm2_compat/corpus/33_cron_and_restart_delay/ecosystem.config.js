module.exports = {
  apps: [
    {
      name: 'nightly',
      script: './worker.js',
      cron_restart: '0 3 * * *',
      restart_delay: 3000,
      max_restarts: 5,
      min_uptime: 5000,
      kill_timeout: 3000,
      exp_backoff_restart_delay: 100,
      env: { JOB: 'nightly' },
    },
  ],
};
