/**
 * The order in which the contenders take their turns on the shared sandbox. Pure.
 *
 * On a shared machine a neighbour's burst of CPU falls on whoever runs at that moment; turns
 * that alternate (A B C, then B C A, then C A B …) spread such bursts over every contender, and
 * no contender always takes the same place in a round (the first turn of a round, or the one
 * after a given contender, may find the machine warmer or busier).
 */

/** One turn: which round, which contender, and its place in the whole run. */
export interface Turn<T> {
  round: number;
  contender: T;
  index: number;
}

/**
 * `rounds` rounds of every contender once, the order of each round turned by one place from the
 * round before. Throws on no contender or a round count below one: a run without turns would
 * measure nothing.
 */
export function interleave<T>(contenders: readonly T[], rounds: number): Turn<T>[] {
  if (contenders.length === 0) throw new Error('no contender to schedule');
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error(`rounds must be a whole number ≥ 1, got ${rounds}`);
  const turns: Turn<T>[] = [];
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < contenders.length; i++) {
      const contender = contenders[(round + i) % contenders.length] as T;
      turns.push({ round, contender, index: turns.length });
    }
  }
  return turns;
}

/**
 * Splits `total` samples into `rounds` shares that differ by at most one and add up to
 * `total` (the earlier rounds take the remainder).
 */
export function split(total: number, rounds: number): number[] {
  if (!Number.isInteger(total) || total < 0)
    throw new Error(`a sample count must be a whole number ≥ 0, got ${total}`);
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error(`rounds must be a whole number ≥ 1, got ${rounds}`);
  const base = Math.floor(total / rounds);
  return Array.from({ length: rounds }, (_, i) => base + (i < total % rounds ? 1 : 0));
}
