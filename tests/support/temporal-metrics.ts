// A counter from a Temporal server's Prometheus endpoint, summed over its series for one
// namespace (the server labels most of its series with one). Its reporter writes label
// values with every character but letters, digits and `_` as `_`: `test-1a2b` is `test_1a2b`.

export async function namespaceCounter(
  metricsUrl: string,
  metric: string,
  namespace: string,
): Promise<number> {
  const res = await fetch(metricsUrl);
  if (!res.ok) throw new Error(`${metricsUrl} answered ${res.status}`);
  const label = `namespace="${namespace.replace(/[^a-zA-Z0-9_]/g, '_')}"`;
  let total = 0;
  for (const line of (await res.text()).split('\n')) {
    const series = /^(\w+)\{([^}]*)\} (\S+)$/.exec(line);
    if (series?.[1] !== metric || !series[2]!.split(',').includes(label)) continue;
    total += Number(series[3]);
  }
  return total;
}
