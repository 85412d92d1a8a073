/** Traffic: the router port, weights, compare-and-set, shift, restore. */
export * from './traffic';
export * from './restore';
