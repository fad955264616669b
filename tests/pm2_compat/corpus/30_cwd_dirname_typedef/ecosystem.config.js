/**
 * @typedef {Object} AppConfig
 * @property {string} name
 * @property {string} script
 * @property {string} cwd
 */

/** @type {{ apps: AppConfig[] }} */
module.exports = {
	apps: [
		{
			name: 'wms-api',
			script: './dist/main.js',
			cwd: __dirname,
			watch: false,
			exec_mode: 'cluster',
			instances: 2,
			env: {
				NODE_ENV: 'production',
				PORT: 42300,
			},
		},
	],
};
