// Named durations in milliseconds. Workflow code may import this module.
export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const days = (n: number): number => n * DAY;
export const hours = (n: number): number => n * HOUR;
export const minutes = (n: number): number => n * MINUTE;
