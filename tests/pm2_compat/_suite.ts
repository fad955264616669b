/**
 * #15's acceptance, one check per corpus file: Adasa gives each app what pm2 7.0.4 gave it
 * (recorded in corpus/<case>/expected.json by record.ts): processes and their count,
 * command lines, cwd, the variables the file sets, ports answering and by how many pids,
 * log files and the shape of their lines, and policies, the stop signal included (pm2's
 * SIGINT for apps written for pm2). Listed are the files Adasa runs as pm2 does in all of
 * that; the others are in RESULTS.md with how they differ. The list is split over three test files so that
 * `deno test --parallel` runs them side by side.
 */
import { assertEquals } from "../_helpers/assert.ts";
import { findCase } from "./_corpus.ts";
import { readExpected, runUnderAdasa } from "./_adasa_side.ts";

export const SAME_AS_PM2: readonly string[] = [
  "01_cluster_logs_date",
  "02_cluster_max_env_production",
  "03_cluster_zero_node_port",
  "04_cluster_watch_autorestart",
  "06_two_apps_fork_and_cluster",
  "07_cluster_wait_ready",
  "08_fork_policies_cjs",
  "09_script_node_args_combine_time",
  "10_fork_wait_ready_env_production",
  "11_log_date_no_extension",
  "12_npm_start_fork_all_logs",
  "13_log_file_merge_ms_date",
  "14_combine_and_merge_logs",
  "15_script_command_line_increment",
  "16_cluster_increment_var",
  "17_instance_var_bin_www",
  "18_dirname_name_args_port",
  "19_instances_numeric_string",
  "20_json_cluster_wait_ready",
  "21_yaml_two_apps",
  "22_single_app_object",
  "23_apps_as_object",
  "24_esm_export_const_apps",
  "25_shell_and_none_interpreters",
  "27_env_object_values",
  "28_node_args_interpreter_args",
  "30_cwd_dirname_typedef",
  "31_script_npm_interpreter_none",
  "32_json_with_comments",
  "33_cron_and_restart_delay",
  "34_multi_service_monorepo",
  "35_port_field",
];

/** Registers one test per listed case whose position modulo `of` is `part`. */
export function registerCases(part: number, of: number): void {
  SAME_AS_PM2.forEach((name, i) => {
    if (i % of !== part) return;
    const c = findCase(name);
    Deno.test(`${name} (${c.file}) runs under Adasa as under pm2`, async () => {
      const { differences } = await runUnderAdasa(c, readExpected(c));
      assertEquals(differences, []);
    });
  });
}
