/** The systemd unit that runs the daemon in the foreground. Pure. */

export interface UnitOptions {
  exec: string;
  home: string;
  system: boolean;
  user: string;
  path: string;
}

export function renderUnit(o: UnitOptions): string {
  return [
    "[Unit]",
    "Description=Adasa process manager",
    "After=network.target",
    "",
    "[Service]",
    "Type=simple",
    ...(o.system ? [`User=${o.user}`] : []),
    `Environment=ADASA_HOME=${o.home}`,
    `Environment=PATH=${o.path}`,
    `ExecStart=${o.exec}`,
    "Restart=always",
    "RestartSec=1",
    // The daemon stops every app's process group itself; systemd only signals the daemon.
    "KillMode=process",
    "TimeoutStopSec=60",
    "",
    "[Install]",
    `WantedBy=${o.system ? "multi-user.target" : "default.target"}`,
    "",
  ].join("\n");
}
