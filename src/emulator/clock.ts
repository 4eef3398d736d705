// A clock for the emulator's `now` option: it runs at wall-clock pace until a test holds it (rate 0), so a
// step a person must take while a job is in some state (pausing it) happens before the job moves on, however
// slow the machine.
export interface AdjustableClock {
  now(): number;
  /** From now on, virtual time runs at `rate` × wall-clock time (0 holds it). */
  setRate(rate: number): void;
}

export function adjustableClock(): AdjustableClock {
  let rate = 1;
  let wallAt = Date.now();
  let virtualAt = wallAt;
  const now = () => virtualAt + (Date.now() - wallAt) * rate;
  return {
    now,
    setRate(r: number) {
      virtualAt = now();
      wallAt = Date.now();
      rate = r;
    },
  };
}
