module.exports = {
    apps: [
        {
            name: "pm2-node-app",
            script: "./worker.js",
            instances: "2",
            // exec_mode: "cluster",
            watch: false,
            env: {
                NODE_ENV: "development",
                WORKER_KIND: "tick"
            },
            env_production: {
                NODE_ENV: "production",
            }
        }
    ]
};
