/**
 * Merging Prometheus text expositions (format 0.0.4) of several registries into one document.
 *
 * Why not concatenate: the gateway serves its own registry plus each service's, and several services
 * expose the same families (`tiktok_api_calls_total{service="auth"…}` and `{service="publisher"…}`).
 * Prometheus rejects a second `# TYPE` line for a name and families split in two, so each family
 * must appear once, with the samples of every input under it. Series differ by their `service`
 * label (platform's `createMetrics` puts it on every metric).
 */

interface Family {
  help: string | undefined;
  type: string | undefined;
  samples: string[];
}

/** `name` of a sample line: up to `{` or the first space. */
function sampleName(line: string): string {
  const m = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  return m ? m[0] : '';
}

/** Series identity of a sample line (name and labels, without value and timestamp). */
function seriesKey(line: string): string {
  const brace = line.lastIndexOf('}');
  return brace >= 0 ? line.slice(0, brace + 1) : sampleName(line);
}

/** `_bucket`, `_sum`, `_count`… belong to the family announced just before them. */
function belongsTo(name: string, family: string | undefined): family is string {
  return family !== undefined && (name === family || name.startsWith(`${family}_`));
}

/**
 * One exposition with every family once (first HELP/TYPE seen wins) and its samples from all inputs,
 * in first-seen order. A sample repeated with the same name and labels is kept once (the first).
 * @example const text = mergeExpositions([await registry.metrics(), authText, publisherText]);
 */
export function mergeExpositions(texts: readonly string[]): string {
  const families = new Map<string, Family>();
  const seen = new Set<string>();
  const family = (name: string): Family => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { help: undefined, type: undefined, samples: [] }));
    return f;
  };
  for (const text of texts) {
    let current: string | undefined;
    for (const raw of text.split('\n')) {
      const line = raw.trimEnd();
      if (line === '') continue;
      const meta = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (meta) {
        const [, kind, name = '', rest = ''] = meta;
        current = name;
        const f = family(name);
        if (kind === 'HELP') f.help ??= rest;
        else f.type ??= rest;
        continue;
      }
      if (line.startsWith('#')) continue;
      const name = sampleName(line);
      if (!name) continue;
      const key = seriesKey(line);
      if (seen.has(key)) continue;
      seen.add(key);
      family(belongsTo(name, current) ? current : (current = name)).samples.push(line);
    }
  }
  const out: string[] = [];
  for (const [name, f] of families) {
    if (f.help !== undefined) out.push(`# HELP ${name} ${f.help}`);
    if (f.type !== undefined) out.push(`# TYPE ${name} ${f.type}`);
    out.push(...f.samples);
  }
  return out.length ? `${out.join('\n')}\n` : '';
}
