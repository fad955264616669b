module.exports = {
  apps: [
    { name: 'sh-ticker', script: './tick.sh' },
    { name: 'raw-ticker', script: './tick.sh', interpreter: 'none' },
    { name: 'py-ticker', script: 'worker.py', interpreter: 'python3' },
  ],
};
