export * from './lead-times';
export * from './quiet-hours';
export * from './subjects';
export * from './year-group';
export * from './learner-csv';
