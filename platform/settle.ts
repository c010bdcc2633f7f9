// Running steps side by side without leaving any behind: Promise.all rejects at the first
// failure while the others still run (a scratch file removed under a reader, a statement
// after its activity ended); this waits for every one, then throws the first failure.

/** Every promise settled; their values, or the first one's rejection. */
export async function settleAll<T extends readonly unknown[] | []>(
  values: T,
): Promise<{ -readonly [P in keyof T]: Awaited<T[P]> }> {
  const results = (await Promise.allSettled(values)) as PromiseSettledResult<unknown>[];
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as {
    -readonly [P in keyof T]: Awaited<T[P]>;
  };
}
