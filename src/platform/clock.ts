/** The only place the service reads the time. The clinical core receives dates as parameters. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/** Today's calendar date in the process time zone (TZ), as "YYYY-MM-DD": the clinic's "today". */
export function localDate(clock: Clock): string {
  const now = clock();
  const mm = String(now.getMonth() + 1).padStart(2, '0');
  const dd = String(now.getDate()).padStart(2, '0');
  return `${now.getFullYear()}-${mm}-${dd}`;
}
