/**
 * A value a user wrote that does not parse (a time, a size, a percent). Its message is the one
 * line the user sees, naming the text; the layer that asked maps it to its own error, a usage
 * error in the CLI or INVALID_ARGUMENT on the wire, since the model knows neither.
 */
export class InvalidValue extends Error {
  override name = "InvalidValue";
}
