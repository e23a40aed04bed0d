/**
 * Plotly traces the figures of Depth, Not Data draw again and again: eigenvalues along training, one line
 * per rank, coloured by the cluster the paper assigns to that rank.
 */

/** A band of ranks [from, to) of a descending spectrum drawn in one colour under one legend entry. */
export interface Band { name: string; color: string; from: number; to: number }

/**
 * The three bands of the paper: the first `counts.dominant` ranks, the next `counts.bulk`, the rest up to p.
 * @param names legend names of dominant, bulk and zero; colors default to red, blue and `zeroColor`
 */
export function clusterBands(counts: { dominant: number; bulk: number }, p: number, names: [string, string, string], zeroColor = "#999999"): Band[] {
  const d = counts.dominant, b = counts.bulk;
  return [
    { name: names[0], color: "#d62728", from: 0, to: d },
    { name: names[1], color: "#1f77b4", from: d, to: d + b },
    { name: names[2], color: zeroColor, from: d + b, to: p },
  ];
}

/**
 * One Plotly line trace per band: every rank's eigenvalue along the snapshots (x = max(t, 0.5), so step 0
 * shows on a log axis; y divided by `scale`), ranks separated by nulls.
 */
export function eigenvalueLines(snaps: Array<{ t: number; eig: ArrayLike<number> }>, bands: Band[], options: { width?: number; scale?: number; extra?: Record<string, unknown> } = {}): Array<Record<string, unknown>> {
  const scale = options.scale ?? 1;
  return bands.map(({ name, color, from, to }) => {
    const x: Array<number | null> = [], y: Array<number | null> = [];
    for (let q = from; q < to; q++) { for (const s of snaps) { x.push(Math.max(s.t, 0.5)); y.push(s.eig[q] / scale); } x.push(null); y.push(null); }
    return { x, y, mode: "lines", name, line: { color, width: options.width ?? 1 }, ...(options.extra ?? {}) };
  });
}
