/**
 * A scenario's verification as named steps, run in order and reported as they go (the view shows a
 * "verifying" phase with each step and, for long ones, how far it got). Before each step, and whenever a
 * long step reports progress, it yields to the event loop and looks at the stop request: once a stop was
 * requested no step starts, and a running step that reports progress ends there; those steps are listed as
 * not verified. It runs no check itself: each step's function does.
 */
import type { EngineSink, VerifyStep } from './engine-events.js';
import type { Check } from './scenario-summary.js';
import type { StopRequest } from './stop-control.js';

/** A long step calls this with how far it got; it rejects with {@link VerificationStopped} after a stop. */
export type StepProgress = (done: number, total: number) => Promise<void>;

/** Thrown through a step's function when a stop is requested while it runs. */
export class VerificationStopped extends Error {
  override readonly name = 'VerificationStopped';
}

/** Progress is sent at most this often (real ms): the view redraws a few times a second anyway. */
const PROGRESS_EVERY_MS = 100;

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export class Verification {
  readonly #scenario: string;
  readonly #emit: EngineSink;
  readonly #stop: StopRequest;
  readonly #steps: VerifyStep[];
  #lastProgressAt = 0;

  /** Announces the steps, in the order they will run. */
  constructor(scenario: string, names: readonly string[], emit: EngineSink, stop: StopRequest) {
    this.#scenario = scenario;
    this.#emit = emit;
    this.#stop = stop;
    this.#steps = names.map((name) => ({ name, state: 'pending' }));
    this.#send();
  }

  /** Records the result of step `name` known without work (the stream's outcome). */
  record(name: string, check: Omit<Check, 'name'>): void {
    this.#set(name, { name, state: 'done', check: { ...check, name } });
  }

  /** Marks step `name` as not verified (its input is missing because a stop came first). */
  skip(name: string): void {
    this.#set(name, { name, state: 'skipped' });
  }

  /**
   * Runs step `name` unless a stop was requested; resolves with its check, or undefined when it was skipped
   * or stopped.
   */
  async run(
    name: string,
    check: (progress: StepProgress) => Omit<Check, 'name'> | Promise<Omit<Check, 'name'>>,
  ): Promise<Check | undefined> {
    await yieldToLoop();
    if (this.#stop.requested) {
      this.skip(name);
      return undefined;
    }
    this.#set(name, { name, state: 'running' });
    const progress: StepProgress = async (done, total) => {
      const now = performance.now();
      if (now - this.#lastProgressAt >= PROGRESS_EVERY_MS) {
        this.#lastProgressAt = now;
        this.#set(name, { name, state: 'running', done, total });
        await yieldToLoop();
      }
      if (this.#stop.requested) throw new VerificationStopped(`${name}: stopped`);
    };
    try {
      const result = { ...(await check(progress)), name };
      this.#set(name, { name, state: 'done', check: result });
      return result;
    } catch (error) {
      if (!(error instanceof VerificationStopped)) throw error;
      this.skip(name);
      return undefined;
    }
  }

  /**
   * Runs step `name` on `input`, a previous step's result; skips it when that is missing (a stop came before
   * the step that makes it).
   */
  async runOn<T>(
    name: string,
    input: T | undefined,
    check: (input: T, progress: StepProgress) => Omit<Check, 'name'> | Promise<Omit<Check, 'name'>>,
  ): Promise<Check | undefined> {
    if (input === undefined) {
      this.skip(name);
      return undefined;
    }
    return this.run(name, (progress) => check(input, progress));
  }

  /** The checks of the steps that ran, in step order. */
  get checks(): Check[] {
    return this.#steps.flatMap((s) => (s.check === undefined ? [] : [s.check]));
  }

  /** The names of the steps that did not run. */
  get notVerified(): string[] {
    return this.#steps.filter((s) => s.check === undefined).map((s) => s.name);
  }

  #set(name: string, step: VerifyStep): void {
    const index = this.#steps.findIndex((s) => s.name === name);
    if (index < 0) throw new Error(`verification step "${name}" was not announced`);
    this.#steps[index] = step;
    this.#send();
  }

  #send(): void {
    this.#emit({ type: 'verify', scenario: this.#scenario, steps: [...this.#steps] });
  }
}
