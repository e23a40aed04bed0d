import { describe, expect, it } from "vitest";
import { ANALOGUE_COLORS, analogueFigure, analogueSummary, curveTrace, recordCloud, stepX } from "../../lib/experiments/figures/analogue-curves";
import { analogueCorpus, analogueSweep, checkpointSteps, curveByStep } from "../../lib/experiments/transformer-analogue";
import { rng } from "../../lib/random/rng";

const config = { arch: { seqLen: 3, dModel: 4, heads: 1, layers: 1 }, steps: 4, batch: 1, lr: 1e-2, evalSequences: 1, checkpoints: 3, seeds: 2, lanczos: { basisSize: 6, tol: 1e-5 } };

describe("Transformer-analogue curves (Cracking Figures 23-25)", () => {
  it("runs the sweep with the same draws as analogueSweep and measures what the figures check first", () => {
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
});
