/** Both streams of a runner process, for a failed exit-code assertion: the runner prints a notebook's failure on stdout. */
export const output = (r: { stdout: string; stderr: string }) => `stdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
