/** Configuration: the config file model, its parser and JSON Schema, the one settings catalogue and the run settings. */
export * from './model';
export * from './file';
export * from './schema';
export * from './settings';
export * from './catalogue';
export * from './cells';
export * from './prometheus';
export * from './trace-settings';
