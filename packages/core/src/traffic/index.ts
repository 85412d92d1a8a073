/** Traffic: the router port, weights, compare-and-set, plans, applying them, shift, rollback, restore. */
export * from './port';
export * from './weights';
export * from './compare-and-set';
export * from './plan';
export * from './apply';
export * from './shift';
export * from './rollback';
export * from './restore';
export * from './audience';
export * from './by-route';
