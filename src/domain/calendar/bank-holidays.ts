import Holidays from 'date-holidays';
import { weekday, type IsoDate } from '../dates';
import type { BankHoliday, Country } from './types';

const REGION: Record<Country, string> = { wales: 'WLS', england: 'ENG' };

// Computing a year's holidays walks date-holidays' rule set; a year is asked for many times while counting, so keep it.
const cache = new Map<string, ReadonlyMap<IsoDate, BankHoliday>>();
const engines = new Map<Country, Holidays>();

const keyOf = (name: string): string =>
  name
    .replace(/\s*\(substitute day\)\s*/i, '')
    .replace(/['’]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** Bank holidays (date-holidays type `public`, substitute days included) of one year in Wales or England. Banking and Financial Dealings Act 1971, Sch. 1, as published by date-holidays. */
export function bankHolidaysOf(country: Country, year: number): ReadonlyMap<IsoDate, BankHoliday> {
  const k = `${country}:${year}`;
  const hit = cache.get(k);
  if (hit) return hit;
  let engine = engines.get(country);
  if (!engine) {
    engine = new Holidays('GB', REGION[country]);
    engines.set(country, engine);
  }
  const map = new Map<IsoDate, BankHoliday>();
  for (const h of engine.getHolidays(year)) {
    if (h.type !== 'public') continue;
    const date = h.date.slice(0, 10);
    if (map.has(date)) continue;
    map.set(date, { date, name: h.name, key: keyOf(h.name), substitute: h.substitute === true });
  }
  cache.set(k, map);
  return map;
}

/** The bank holiday on a date in Wales or England, if any. */
export function bankHolidayOn(country: Country, date: IsoDate): BankHoliday | undefined {
  return bankHolidaysOf(country, Number(date.slice(0, 4))).get(date);
}

export type NonWorkingReason = 'weekend' | 'bank-holiday';

/** Why a date is not a working day in Wales or England (a weekend or a bank holiday), or undefined for a working day (ALN (Wales) Regulations 2021, reg. 2(4)). */
export function nonWorkingDayReason(country: Country, date: IsoDate): NonWorkingReason | undefined {
  const d = weekday(date);
  if (d === 0 || d === 6) return 'weekend';
  return bankHolidayOn(country, date) ? 'bank-holiday' : undefined;
}

/** A working day: not Saturday, Sunday or a bank holiday in that country (ALN (Wales) Regulations 2021, reg. 2(4) uses this for periods that end on a non-working day). */
export function isWorkingDay(country: Country, date: IsoDate): boolean {
  return nonWorkingDayReason(country, date) === undefined;
}
