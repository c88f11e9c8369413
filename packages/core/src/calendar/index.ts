export * from './business-calendar.ts';
export * from './calendar-definition.ts';
export * from './civil-date.ts';
export * from './ical-holidays.ts';
export * from './zone-offset.ts';
