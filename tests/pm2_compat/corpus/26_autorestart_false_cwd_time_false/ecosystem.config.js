module.exports = {
  apps: [
    {
      name: "command-app",
      script: "main.js",
      error_file: "./data/log/app/error.log",
      out_file: "./data/log/app/out.log",
      watch: false,
      autorestart: false,
      cwd: "./",
      exec_mode: "fork",
      instances: 1,
      time: false,

      args: process.env.COMMAND_ARGS,

      env: {
        NODE_ENV: "production",
      },
    },
  ],
};
