/**
 * Randomness as the rest of the code sees it. Production code never calls `Math.random`: it is handed an
 * `Rng`. One seed gives a root generator; each subsystem takes a named child stream, so a new draw in one
 * place does not shift the choices of every other.
 */
export interface Rng {
  /** A float uniformly in [0, 1). */
  next(): number;
  /** An unsigned 32-bit integer. */
  nextUint32(): number;
  /** An integer uniformly in [min, max] (both inclusive). */
  int(min: number, max: number): number;
  /** True with probability `p` (0..1). */
  chance(p: number): boolean;
  /** An independent stream derived from this one's seed and `name`; the same name gives the same stream. */
  child(name: string): Rng;
}
