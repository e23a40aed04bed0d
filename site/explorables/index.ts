/** The explorables, in the order the site lists them (paper by paper, in each paper's order). */
import type { Explorable } from "./types";
import { explorable as t31 } from "./cracking-theorem-3.1";
import { explorable as t34 } from "./cracking-theorem-3.4";
import { explorable as t35 } from "./cracking-theorem-3.5";
import { explorable as b2 } from "./cracking-corollary-B.2";
import { explorable as c36 } from "./dnd-corollary-3.6";
import { explorable as a1 } from "./dnd-lemma-A.1";
import { explorable as e9 } from "./dd-eq-9";
import { explorable as e15 } from "./dd-eq-15-16";

export const explorables: Explorable[] = [t31, t34, t35, b2, c36, a1, e9, e15];
