/** ANSI colours, applied only when the caller says colour is on. */
const CODES = {
  red: 31,
  green: 32,
  yellow: 33,
  blue: 34,
  magenta: 35,
  cyan: 36,
  gray: 90,
  bold: 1,
};

export type ColorName = keyof typeof CODES;

export function paint(text: string, color: ColorName, on: boolean): string {
  return on ? `\x1b[${CODES[color]}m${text}\x1b[0m` : text;
}

/** The colour of a status word. */
export function statusColor(status: string): ColorName {
  switch (status) {
    case "online":
      return "green";
    case "launching":
    case "reloading":
    case "waiting":
    case "stopping":
      return "yellow";
    case "errored":
      return "red";
    default:
      return "gray";
  }
}
