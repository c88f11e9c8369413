/**
 * The time SLA clocks and urges run at, in milliseconds since the epoch. The server uses the real
 * time; an in-process test passes its own clock to move time by hand (timer jobs still wait for
 * real time: a job's start is its due time translated by how far the clock is from real time).
 */
export type Clock = { now(): number };

export const systemClock: Clock = { now: () => Date.now() };
