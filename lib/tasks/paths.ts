/**
 * Where finished tasks live: `results/tasks/<study>/<key>.json` under the project root, or under
 * `$HS_TASKS_DIR/<study>/` when that is set (tests, shard outputs). The project root is found from this
 * file's own location, not the working directory, so a worker thread, a test and the kernel agree on it.
 */
import { isAbsolute, join, resolve } from "path";

/** The project root: two folders above lib/tasks/. */
export const projectRoot: string = resolve(__dirname, "..", "..");

/** The root of the task store: `$HS_TASKS_DIR`, else `<project>/results/tasks`. */
export function tasksRoot(): string {
  const dir = process.env.HS_TASKS_DIR;
  if (dir === undefined || dir === "") return join(projectRoot, "results", "tasks");
  return isAbsolute(dir) ? dir : resolve(projectRoot, dir);
}

const STUDY_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

/** Check a study id (it names a folder: letters, digits, `.`, `_`, `-`, and `/` between parts). */
export function assertStudyId(fn: string, study: unknown): string {
  if (typeof study !== "string" || !STUDY_ID.test(study) || study.split("/").some((p) => p === "." || p === "..")) {
    throw new TypeError(`${fn}: study must be an id like "cracking-the-hessian/figure-16" (letters, digits, . _ - and /), got ${JSON.stringify(study)}`);
  }
  return study;
}

/**
 * The task store of a study runner, chosen by the scale (HS_SCALE): paper-scale tasks under `tasksRoot()`
 * (committed, so a later run anywhere continues), quick-scale ones under `$HS_QUICK_TASKS_DIR`, else
 * `<project>/build/tasks` (git-ignored: small runs do not litter results/).
 */
export function scaleTasksRoot(): string {
  if (process.env.HS_SCALE === "paper") return tasksRoot();
  const dir = process.env.HS_QUICK_TASKS_DIR;
  if (dir === undefined || dir === "") return join(projectRoot, "build", "tasks");
  return isAbsolute(dir) ? dir : resolve(projectRoot, dir);
}

/** The folder of one study's task files (under `root`, default `tasksRoot()`). */
export function studyDir(study: string, root: string = tasksRoot()): string {
  return join(root, ...assertStudyId("studyDir", study).split("/"));
}
