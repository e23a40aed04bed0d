/**
 * The studies behind the notebooks of Depth, Not Data: the paper's setting (`setting`), gradient descent
 * against the scalar recursion (`training`, `recursion`), dense spectra along training and their clusters
 * (`spectra`), brute-force constructions (`dense`) and the eigenvalue-line traces of its figures (`plots`).
 */
export * from "./setting";
export * from "./training";
export * from "./recursion";
export * from "./spectra";
export * from "./dense";
export * from "./plots";
