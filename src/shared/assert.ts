/** Thrown when a programmer's assumption does not hold: a bug, never an expected outcome. */
export class AssertionFailed extends Error {
  override name = 'AssertionFailed';
}

/** Asserts a precondition or invariant. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionFailed(message);
}
