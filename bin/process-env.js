// The environment every furikae process starts with (the CLI's launcher and the test runner's children set it).
//
// PINs, passwords and one-time codes are hashed with scrypt at N = 2^15, r = 8, which needs a 32 MiB block per hash.
// glibc serves blocks that large with mmap and unmaps them when freed, so every hash faulted 32 MiB of fresh pages in
// and handed them back: measured here, 192 ms of CPU per hash, a third of it in the kernel. With large blocks kept in
// the heap (each libuv thread's arena keeps one, about 130 MiB in all), the same hash costs 78 ms (2.5x less), so a
// login, a PIN check or an SMS code costs the bank less than half the CPU. glibc reads this at process start, which is
// why it is set by whoever starts the process and cannot be set from inside.
export const FURIKAE_PROCESS_ENV = {
  // Above scrypt's 32 MiB block (r = 8 × N = 2^15 × 128 bytes, plus headers).
  MALLOC_MMAP_THRESHOLD_: String(64 * 1024 * 1024),
};

/** The environment to start a furikae process with: the caller's, plus what is above unless the caller set it. */
export function withFurikaeProcessEnv(env) {
  return { ...FURIKAE_PROCESS_ENV, ...env };
}
