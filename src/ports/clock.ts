/** Time, injectable so tests and schedules never wait for real. */
export interface Clock {
  now(): Date;
}
