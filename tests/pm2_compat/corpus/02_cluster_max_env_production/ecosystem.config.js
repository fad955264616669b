// ecosystem.config.js
module.exports = {
    apps: [
      {
        name: "task-api",
        script: "index.js",
        instances: "max",
        exec_mode: "cluster",
        env: {
          NODE_ENV: "development",
          PORT: 42020
        },
        env_production: {
          NODE_ENV: "production",
          PORT: 42021
        }
      }
    ]
  };
