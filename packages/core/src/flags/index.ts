/** Feature flags set by a provider: the flag settings, the AppConfig document, the FlagProvider port. */
export * from './settings';
export * from './state';
export * from './document';
export * from './port';
