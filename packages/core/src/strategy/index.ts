/** Strategies: the catalogue of strategies and parameters, plan steps, and selection from labels, inputs and config. */
export * from './steps';
export * from './catalogue';
export * from './plan';
export * from './select';
export * from './services';
export * from './audience';
export * from './cells';
