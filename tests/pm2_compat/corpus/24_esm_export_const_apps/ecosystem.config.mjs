export const apps = [
  {
    name: 'esm-worker',
    script: './worker.js',
    env: { ROLE: 'esm' },
  },
];
