import { describe, expect, it } from "vitest";
import { ANALOGUE_COLORS, ANALOGUE_SETTINGS, analogueFigure, analogueSummary, checkAnalogueFigure, curveTrace, recordCloud, stepX } from "../../lib/experiments/figures/analogue-curves";
import { analogueCorpus, analogueSweep, checkpointSteps, curveByStep } from "../../lib/experiments/transformer-analogue";
import { rng } from "../../lib/random/rng";

const config = { arch: { seqLen: 3, dModel: 4, heads: 1, layers: 1 }, steps: 4, batch: 1, lr: 1e-2, evalSequences: 1, checkpoints: 3, seeds: 2, lanczos: { basisSize: 6, tol: 1e-5 } };

describe("Transformer-analogue curves (Cracking Figures 23-25)", () => {
  it("runs the sweep with the same draws as analogueSweep and measures what the figures check first", { timeout: 600_000 }, () => {
    const corpus = analogueCorpus();
    const fig = analogueFigure(corpus, config, rng(5));
    const training = { steps: 4, batch: 1, lr: 1e-2, evalSequences: 1, checkpoints: checkpointSteps(4, 3), lanczos: config.lanczos };
    expect(fig.training).toEqual(training);
    const direct = analogueSweep(corpus, config.arch, training, 2, rng(5));
    expect(fig.runsA.map((run) => run.map((r) => r.relErr))).toEqual(direct.attention.map((r) => r.records.map((q) => q.relErr)));
    expect(fig.runsN.map((run) => run.map((r) => r.loss))).toEqual(direct.noAttention.map((r) => r.records.map((q) => q.loss)));
    expect(fig.parameterGap).toBe(Math.abs(direct.params.attention - direct.params.noAttention) / direct.params.attention);
    const all = [...fig.runsA, ...fig.runsN].flat();
    expect(fig.convergedFraction).toBe(all.filter((r) => r.converged).length / all.length);
    const last = training.checkpoints.length - 1;
    expect(fig.lossRatio.attention).toBe((fig.runsA[0][last].loss + fig.runsA[1][last].loss) / (fig.runsA[0][0].loss + fig.runsA[1][0].loss));
    expect(analogueSummary(fig)).toContain(`Checkpoints at steps ${training.checkpoints.join(", ")}`);
    expect(analogueSummary(fig)).toContain(`Corpus: ${corpus.tokens.length} characters, vocabulary ${corpus.vocab}`);
    // the four checks every figure makes first, in order, with their limits
    const calls: [string, string, number, number][] = [];
    const md: string[] = [];
    checkAnalogueFigure(fig, {
      checkAtLeast: (name, m, l) => { calls.push(["atLeast", name, m, l]); },
      checkAtMost: (name, m, l) => { calls.push(["atMost", name, m, l]); },
      markdown: (t) => { md.push(t); },
    });
    expect(md).toEqual([analogueSummary(fig)]);
    expect(calls).toEqual([
      ["atMost", "parameter counts of the two models differ by at most 2% (similar size)", fig.parameterGap, 0.02],
      ["atLeast", "every Lanczos run converged (fraction of checkpoints)", fig.convergedFraction, 1],
      ["atMost", "training lowered the loss (attention): final / initial sample loss", fig.lossRatio.attention, 0.9],
      ["atMost", "training lowered the loss (no attention): final / initial sample loss", fig.lossRatio.noAttention, 0.9],
    ]);
    // the traces: mean ± s.e. of a curve, every record as a marker, initialisation drawn at 0.5 on a log axis
    const c = curveByStep(fig.runsA, (r) => r.relErr);
    const t = curveTrace(c, "with attention", ANALOGUE_COLORS.a, { x: stepX, extra: { xaxis: "x2" } });
    expect(t.x).toEqual(c.x.map((s) => (s === 0 ? 0.5 : s)));
    expect(t.y).toBe(c.mean);
    expect(t.xaxis).toBe("x2");
    expect((recordCloud(fig.runsA, (r) => r.step, (r) => r.loss, ANALOGUE_COLORS.a).y as number[]).length).toBe(fig.runsA.flat().length);
  });

  it("a configuration without an architecture is refused by name", () => {
    expect(() => analogueFigure(analogueCorpus(), {} as typeof config, rng(1))).toThrow("analogueFigure: config must carry arch");
  });

  it("the settings Figures 5 and 23-25 share are the ones the notebooks had", () => {
    expect(ANALOGUE_SETTINGS.paper).toEqual({ arch: { seqLen: 16, dModel: 24, heads: 2, layers: 2 }, steps: 400, batch: 6, lr: 5e-3, evalSequences: 6, checkpoints: 12, seeds: 3, bins: 8, lanczos: { basisSize: 16, tol: 1e-6 } });
    expect(ANALOGUE_SETTINGS.quick).toEqual({ arch: { seqLen: 10, dModel: 16, heads: 1, layers: 1 }, steps: 120, batch: 4, lr: 1e-2, evalSequences: 4, checkpoints: 7, seeds: 3, bins: 6, lanczos: { basisSize: 12, tol: 1e-5 } });
  });
});
