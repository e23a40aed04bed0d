/**
 * What every benchmark shares: atomic writes of its JSON/Markdown and input files, and the in-process
 * V8 CPU profile (the profiler `node --cpu-prof` uses) that names what dominates a figure.
 */
import { renameSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";

/** Write a file atomically: temp file in the same folder, then rename. */
export function writeAtomic(path: string, data: string | Buffer): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** The bytes of a typed array (to hand inputs to the Python reference through a file). */
export function bytesOf(a: Float64Array | Int32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

/** Top self-time functions of `f` (run `times` times) by the in-process V8 CPU profiler. */
export function profileTop(f: () => void, times: number, top = 5): Array<{ fn: string; self_ms: number; share: number }> {
  const s = new Session();
  s.connect();
  let profile: Profile | null = null;
  // the in-thread inspector session answers synchronously
  s.post("Profiler.enable");
  s.post("Profiler.setSamplingInterval", { interval: 200 });
  s.post("Profiler.start");
  for (let i = 0; i < times; i++) f();
  s.post("Profiler.stop", (err, res) => { if (!err) profile = (res as unknown as { profile: Profile }).profile; });
  s.disconnect();
  if (profile === null) return [];
  const p: Profile = profile;
  const byId = new Map(p.nodes.map((nd) => [nd.id, nd]));
  const self = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const nd = byId.get(p.samples[i])!;
    const cf = nd.callFrame;
    if (!cf.url && ["(root)", "(idle)", "(program)"].includes(cf.functionName)) continue;
    const file = cf.url.replace(/^.*\/build\/dist\//, "").replace(/^file:\/\//, "");
    // frames without a script are native code under arbitrary names ("in", "dispatch", "opaque", ...: koffi's
    // call trampolines into BLAS/LAPACK, V8 builtins), so they are pooled
    const key = file ? `${cf.functionName || "(anonymous)"} ${file}:${cf.lineNumber + 1}` : cf.functionName.startsWith("(") ? cf.functionName : "[native: BLAS/LAPACK via koffi, V8 builtins]";
    const dt = p.timeDeltas[i] / 1000;
    self.set(key, (self.get(key) ?? 0) + dt);
    total += dt;
  }
  return [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top).map(([fn, ms]) => ({ fn, self_ms: ms, share: ms / total }));
}
