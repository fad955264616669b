/**
 * @module
 * The model of an app's settings: AppSpec and its field types, the settings table every layer
 * derives from (validation, config readers, CLI flags, export, JSON Schema, README table), and
 * the predicates of names. A leaf: it imports nothing else of the project.
 */
export * from "./app_spec.ts";
export * from "./values.ts";
export * from "./checks.ts";
export * from "./names.ts";
export * from "./settings.ts";
export * from "./normalize.ts";
export * from "./docs.ts";
