/** The deployment dashboard: its model (per environment, DORA per week), pages and charts, and the daily summary. */
export * from './model';
export * from './trace';
export * from './trace-join';
export * from './svg';
export * from './layout';
export * from './overview';
export * from './sections';
export * from './deployment-page';
export * from './site';
export * from './inputs';
export * from './report';
