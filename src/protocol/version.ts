/** The product version, reported by `hello` and `adasa --version`. */
export const VERSION = "0.1.0";
