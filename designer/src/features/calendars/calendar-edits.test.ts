import type { CalendarDefinition } from '@docket/core';
import { describe, expect, it } from 'vitest';
import { dateInZone, dayKindOf, monthDates, nameDay, toggleDay, weekdayOf } from './calendar-edits.ts';

const day = [{ start: '09:00', end: '18:00' }];
const office: CalendarDefinition = {
  timeZone: 'Asia/Shanghai',
  weeklyHours: [[], day, day, day, day, day, []],
};

describe('calendar edits', () => {
  it('reads weekdays and months as civil dates', () => {
    expect(weekdayOf('2026-12-07')).toBe(1);
    expect(monthDates(2028, 1)).toHaveLength(29);
    expect(dateInZone('2026-12-06T17:00:00Z', 'Asia/Shanghai')).toBe('2026-12-07');
  });

  it('a click makes a working day a holiday, a day off a make-up day, and a second click undoes it', () => {
    const withHoliday = toggleDay(office, '2026-12-07');
    expect(dayKindOf(withHoliday, '2026-12-07')).toBe('holiday');
    expect(dayKindOf(toggleDay(withHoliday, '2026-12-07'), '2026-12-07')).toBe('working');
    const makeUp = toggleDay(office, '2026-12-05');
    expect(makeUp.extraWorkingDays).toEqual([{ date: '2026-12-05' }]);
    expect(dayKindOf(toggleDay(makeUp, '2026-12-05'), '2026-12-05')).toBe('off');
  });

  it('a click inside a holiday range removes the range; names can be set and cleared', () => {
    const ranged = {
      ...office,
      holidays: [{ date: '2026-10-01', until: '2026-10-07', name: 'National Day' }],
    };
    expect(dayKindOf(ranged, '2026-10-03')).toBe('holiday');
    expect(toggleDay(ranged, '2026-10-03').holidays).toEqual([]);
    const named = nameDay(toggleDay(office, '2026-12-07'), 'holidays', '2026-12-07', ' Company day ');
    expect(named.holidays).toEqual([{ date: '2026-12-07', name: 'Company day' }]);
    expect(nameDay(named, 'holidays', '2026-12-07', '').holidays).toEqual([{ date: '2026-12-07' }]);
  });
});
